import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ar } from './ar';
import { en } from './en';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'ar', label: 'العربية' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const KEY = 'messaging.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(KEY);
  if (saved === 'ar' || saved === 'en') return saved;
  return navigator.language?.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

/** The whole page follows the language: `lang`, and `dir="rtl"` for Arabic. */
function applyToDocument(lng: string): void {
  document.documentElement.lang = lng;
  document.documentElement.dir = i18next.dir(lng);
}

export async function setupI18n(lng: Language = initialLanguage()): Promise<typeof i18next> {
  i18next.on('languageChanged', (l) => {
    applyToDocument(l);
    localStorage.setItem(KEY, l);
  });
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ar: { translation: ar } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  applyToDocument(lng);
  return i18next;
}

/** Numbers and times in the UI language's own format. */
export const formatTime = (iso: string, lng: string): string =>
  new Intl.DateTimeFormat(lng, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso));

export const formatDay = (iso: string, lng: string): string =>
  new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(new Date(iso));

/** A day separator's words: "Today", "Yesterday", or the date in the locale's format. */
export function dayLabel(iso: string, lng: string, now: Date = new Date()): string {
  const day = new Date(iso).toDateString();
  if (day === now.toDateString()) return i18next.t('today');
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (day === yesterday.toDateString()) return i18next.t('yesterday');
  return formatDay(iso, lng);
}

export const formatNumber = (n: number, lng: string): string =>
  new Intl.NumberFormat(lng).format(n);
