import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { SearchHit } from '../api/types';

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};

/**
 * A search snippet as elements: the service marks hits with `<mark>` and escapes everything
 * else, so the text between marks is unescaped and rendered as text, never as HTML.
 */
export function Snippet({ html }: { html: string }) {
  const parts = html.split(/(<mark>[\s\S]*?<\/mark>)/);
  const text = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e] ?? e);
  return (
    <span dir="auto">
      {parts.map((p, i) =>
        p.startsWith('<mark>') ? <mark key={i}>{text(p.slice(6, -7))}</mark> : text(p),
      )}
    </span>
  );
}

/** Search results, across conversations or within one. */
export function SearchPanel({
  query,
  conversationId,
  onOpen,
}: {
  query: string;
  conversationId?: string;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      ok(
        api.GET('/api/v1/messages/search', {
          params: { query: { q: query, limit: 30, ...(conversationId ? { conversationId } : {}) } },
        }),
      ).then(
        (page) => live && (setHits(page.items), setError(null)),
        (err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, conversationId]);

  return (
    <section className="search-results" aria-label={t('searchResults')}>
      {error && <p role="alert">{error}</p>}
      {hits?.length === 0 && <p className="empty">{t('noResults')}</p>}
      <ul aria-label={t('searchResults')}>
        {hits?.map((h) => (
          <li key={h.message.id}>
            <button type="button" className="search-hit" onClick={() => onOpen(h.conversationId)}>
              <span className="title" dir="auto">
                {h.conversationTitle}
              </span>
              <Snippet html={h.snippet} />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
