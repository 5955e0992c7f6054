import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n';

/** The language switch (`combobox` "Language"); the choice is kept for the next visit. */
export function LanguageSelect({ onChange }: { onChange?: (code: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span className="sr-only">{t('language')}</span>
      <select
        aria-label={t('language')}
        value={i18n.resolvedLanguage}
        onChange={(e) => {
          void i18n.changeLanguage(e.target.value);
          onChange?.(e.target.value);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
