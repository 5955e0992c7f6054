import { ErrorCode, ERROR_STATUS } from '../common/errors/error-code';
import { ERROR_MESSAGES, Locale } from '../common/errors/error-messages';
import { ScheduledMessageRow } from './entities/scheduled-message.row';

const TITLE: Record<Locale, string> = {
  en: 'Scheduled message not sent',
  ar: 'لم تُرسل الرسالة المجدولة',
};

const isErrorCode = (code: string): code is ErrorCode => code in ERROR_STATUS;

/** The author's notification about a scheduled message that could not be sent, in their language. */
export function failureNotice(
  item: Pick<ScheduledMessageRow, 'failure' | 'send_at'>,
  locale: string,
): { title: string; body: string } {
  const lang: Locale = locale === 'ar' ? 'ar' : 'en';
  const code = item.failure && isErrorCode(item.failure) ? item.failure : 'INTERNAL';
  const reason = ERROR_MESSAGES[code][lang];
  const at = item.send_at.toISOString();
  const body =
    lang === 'ar'
      ? `تعذر إرسال رسالتك المجدولة في ${at}: ${reason}`
      : `Your message scheduled for ${at} could not be sent: ${reason}`;
  return { title: TITLE[lang], body: body.slice(0, 500) };
}
