import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { PublicUser } from '../api/types';
import { useAppState } from '../hooks';

/** Finds verified users by name or email prefix; picked ones are listed with a remove button. */
export function UserPicker({
  picked,
  onChange,
  exclude = [],
}: {
  picked: PublicUser[];
  onChange: (users: PublicUser[]) => void;
  exclude?: string[];
}) {
  const { t } = useTranslation();
  const state = useAppState();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<PublicUser[]>([]);
  const hint = useId();

  useEffect(() => {
    if (query.trim().length < 2) return setFound([]);
    let live = true;
    const timer = setTimeout(() => {
      void ok(
        api.GET('/api/v1/users', { params: { query: { query: query.trim(), limit: 20 } } }),
      ).then((page) => live && setFound(page.items));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  const skip = new Set([state.me.id, ...exclude, ...picked.map((p) => p.id)]);
  return (
    <div className="picker">
      <label>
        {t('findPeople')}
        <input
          type="search"
          value={query}
          aria-describedby={hint}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <p id={hint} className="muted">
        {t('findPeopleHint')}
      </p>
      <ul className="found">
        {found
          .filter((u) => !skip.has(u.id))
          .map((u) => (
            <li key={u.id}>
              <button type="button" onClick={() => onChange([...picked, u])}>
                <span dir="auto">{u.displayName}</span>
              </button>
            </li>
          ))}
      </ul>
      {picked.length > 0 && (
        <>
          <h3>{t('selected')}</h3>
          <ul className="picked">
            {picked.map((u) => (
              <li key={u.id}>
                <span dir="auto">{u.displayName}</span>
                <button
                  type="button"
                  className="icon"
                  aria-label={`${t('remove')} ${u.displayName}`}
                  onClick={() => onChange(picked.filter((p) => p.id !== u.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
