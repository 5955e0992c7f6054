import type { Locale } from '../../common/errors/error-messages';
import { escapeHtml } from '../../common/text/escape-html';

/** One notification in a digest email. */
export interface DigestItem {
  /** who it is from: the sender, or the inviter */
  from: string;
  /** the preview; empty when there is none (encrypted conversations) */
  body: string;
}

/** The notifications of one conversation for one user, as one email. */
export interface Digest {
  locale: Locale;
  recipientName: string;
  /** the group's title, or the other participant's name */
  conversationLabel: string;
  isGroup: boolean;
  items: DigestItem[];
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

const STRINGS = {
  en: {
    subject: (n: number, label: string, isGroup: boolean) =>
      `${n === 1 ? 'New message' : `${n} new messages`} ${isGroup ? 'in' : 'from'} ${label}`,
    greeting: (name: string) => `Hi ${name},`,
    intro: (n: number) =>
      n === 1
        ? 'You have a new message while you were away:'
        : `You have ${n} new messages while you were away:`,
    noPreview: 'New message',
    footer:
      'You get this email because you were offline. You can turn email notifications off in your message settings.',
  },
  ar: {
    subject: (n: number, label: string, isGroup: boolean) =>
      `${n === 1 ? 'رسالة جديدة' : `رسائل جديدة (${n})`} ${isGroup ? 'في' : 'من'} ${label}`,
    greeting: (name: string) => `مرحبًا ${name}،`,
    intro: (n: number) =>
      n === 1 ? 'وصلتك رسالة جديدة أثناء غيابك:' : `وصلتك ${n} رسائل جديدة أثناء غيابك:`,
    noPreview: 'رسالة جديدة',
    footer:
      'تصلك هذه الرسالة لأنك كنت غير متصل. يمكنك إيقاف إشعارات البريد الإلكتروني من إعدادات الرسائل.',
  },
} as const;

/** Subject lines are one line, whatever a group title or a name holds. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

/**
 * The email for a digest: plain text and HTML with the same content, in the recipient's
 * language; Arabic is laid out right to left. Everything from users is HTML-escaped.
 */
export function composeDigestEmail(d: Digest): ComposedEmail {
  const s = STRINGS[d.locale];
  const n = d.items.length;
  const dir = d.locale === 'ar' ? 'rtl' : 'ltr';
  const align = d.locale === 'ar' ? 'right' : 'left';
  const subject = oneLine(s.subject(n, d.conversationLabel, d.isGroup));
  const lines = d.items.map((item) => ({ from: item.from, body: item.body || s.noPreview }));

  const text = [
    s.greeting(d.recipientName),
    '',
    s.intro(n),
    '',
    ...lines.map((l) => `${l.from}: ${l.body}`),
    '',
    '—',
    s.footer,
    '',
  ].join('\n');

  const items = lines
    .map(
      (l) =>
        `<li style="margin:0 0 12px"><strong>${escapeHtml(l.from)}</strong><br>` +
        `<span style="white-space:pre-wrap">${escapeHtml(l.body)}</span></li>`,
    )
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="${d.locale}" dir="${dir}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body dir="${dir}" style="font-family:Arial,Helvetica,sans-serif;text-align:${align};color:#222">
<p>${escapeHtml(s.greeting(d.recipientName))}</p>
<p>${escapeHtml(s.intro(n))}</p>
<ul style="list-style:none;padding:0">
${items}
</ul>
<hr>
<p style="font-size:12px;color:#666">${escapeHtml(s.footer)}</p>
</body>
</html>
`;
  return { subject, text, html };
}
