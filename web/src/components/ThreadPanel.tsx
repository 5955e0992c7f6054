import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Conversation, Message } from '../api/types';
import { useAppState } from '../hooks';
import { Composer } from './Composer';
import { MessageItem } from './MessageItem';

/** A thread: its root and every reply under it, oldest first, with a composer of replies. */
export function ThreadPanel({
  root,
  conversation,
  onClose,
}: {
  root: Message;
  conversation: Conversation;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const state = useAppState();
  const [fetched, setFetched] = useState<Message[]>([]);
  const rootId = root.threadRootId ?? root.id;
  const loaded = state.messages[conversation.id]?.items ?? [];
  const live = loaded.filter((m) => m.threadRootId === rootId);
  const rootMessage = loaded.find((m) => m.id === rootId) ?? root;
  const byId = new Map([...fetched, ...live].map((m) => [m.id, m]));
  const replies = [...byId.values()].sort((a, b) => a.seq - b.seq);

  useEffect(() => {
    void ok(
      api.GET('/api/v1/conversations/{id}/messages/{messageId}/replies', {
        params: { path: { id: conversation.id, messageId: rootId }, query: { limit: 100 } },
      }),
    ).then((page) => setFetched(page.items));
  }, [conversation.id, rootId]);

  return (
    <aside className="thread" aria-label={t('thread')}>
      <header className="thread-header">
        <h3>{t('thread')}</h3>
        <button type="button" onClick={onClose}>
          {t('close')}
        </button>
      </header>
      <div className="thread-messages">
        <MessageItem message={rootMessage} conversation={conversation} inThread />
        {replies.map((m) => (
          <MessageItem key={m.id} message={m} conversation={conversation} inThread />
        ))}
      </div>
      <Composer
        conversation={conversation}
        replyTo={null}
        editing={null}
        onDone={() => undefined}
        threadRootId={rootId}
        label={t('reply')}
      />
    </aside>
  );
}
