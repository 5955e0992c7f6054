import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Attachment, Conversation, Message } from '../api/types';
import { useAppState, useStore } from '../hooks';
import { formatTime } from '../i18n';
import { receiptOf, type Outgoing } from '../store';
import { AttachmentView } from './Attachments';
import { useSystemText } from './ConversationList';
import { MoreIcon } from './Icons';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** One message: own ones on the inline-end side, each in the direction of its own text. */
export function MessageItem({
  message: m,
  conversation,
  onReply,
  onEdit,
  onThread,
  inThread = false,
}: {
  message: Message;
  conversation: Conversation;
  onReply?: () => void;
  onEdit?: () => void;
  onThread?: () => void;
  inThread?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const state = useAppState();
  const systemText = useSystemText();
  const [actions, setActions] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const actionsButton = useRef<HTMLButtonElement>(null);

  if (m.type === 'system') {
    return (
      <p className="system-message" dir="auto">
        {systemText(m, conversation)}
      </p>
    );
  }
  const mine = m.senderId === state.me.id;
  const quoted = m.replyToMessageId
    ? state.messages[m.conversationId]?.items.find((x) => x.id === m.replyToMessageId)
    : undefined;
  const receipt = mine ? receiptOf(m, conversation, state.delivered[m.conversationId]) : null;
  const isAdmin = conversation.participants.some(
    (p) => p.userId === state.me.id && p.role === 'admin',
  );
  const canDelete = !m.isDeleted && (mine || (conversation.type === 'group' && isAdmin));

  return (
    <article
      className={`message ${mine ? 'mine' : 'theirs'} ${m.isDeleted ? 'deleted' : ''}`}
      aria-label={`${mine ? t('you') : (m.sender?.displayName ?? '')}: ${m.isDeleted ? t('deleted') : m.content}`}
      data-seq={m.seq}
      onKeyDown={(e) => {
        // Escape closes the actions and gives the focus back to their button
        if (e.key === 'Escape' && actions) {
          e.stopPropagation();
          setActions(false);
          setConfirming(false);
          actionsButton.current?.focus();
        }
      }}
    >
      {conversation.type === 'group' && !mine && (
        <span className="sender" dir="auto">
          {m.sender?.displayName}
        </span>
      )}
      {m.replyToMessageId && !inThread && (
        <blockquote className="quote" dir={quoted?.direction ?? 'auto'}>
          {quoted ? (
            <>
              <span className="sender">{quoted.sender?.displayName}</span>{' '}
              {quoted.isDeleted ? t('deleted') : quoted.content.slice(0, 140)}
            </>
          ) : (
            '…'
          )}
        </blockquote>
      )}
      {m.isDeleted ? (
        <p className="content muted">{t('deleted')}</p>
      ) : (
        m.content && (
          <p className="content" dir={m.direction} lang={m.language}>
            {m.content}
          </p>
        )
      )}
      {m.attachments.length > 0 && (
        <div className="attachments">
          {m.attachments.map((a) => (
            <AttachmentView key={a.id} attachment={a as Attachment} />
          ))}
        </div>
      )}
      {m.reactions.length > 0 && (
        <div className="reactions">
          {m.reactions.map((r) => (
            <button
              key={r.emoji}
              type="button"
              className={`reaction ${r.reactedByMe ? 'mine' : ''}`}
              aria-pressed={r.reactedByMe}
              aria-label={`${r.emoji} ${r.count}`}
              onClick={() => void store.react(m, r.emoji, !r.reactedByMe)}
            >
              {r.emoji} {r.count}
            </button>
          ))}
        </div>
      )}
      <div className="meta">
        {m.moderation === 'masked' && <span className="tag warn">{t('masked')}</span>}
        {m.moderation === 'flagged' && <span className="tag warn">{t('flagged')}</span>}
        {m.isEdited && !m.isDeleted && <span>{t('edited')}</span>}
        <time dateTime={m.createdAt}>{formatTime(m.createdAt, i18n.language)}</time>
        {receipt && (
          <span
            className={`receipt ${receipt}`}
            role="img"
            aria-label={t(receipt)}
            title={t(receipt)}
          >
            {receipt === 'sent' ? '✓' : '✓✓'}
          </span>
        )}
        {!m.isDeleted && (
          <button
            ref={actionsButton}
            type="button"
            className="icon more"
            aria-expanded={actions}
            aria-label={t('messageActions')}
            onClick={() => {
              setActions(!actions);
              setConfirming(false);
            }}
          >
            <MoreIcon />
          </button>
        )}
      </div>
      {m.replyCount > 0 && !inThread && onThread && (
        <button type="button" className="link" onClick={onThread}>
          {t('replies', { count: m.replyCount })}
        </button>
      )}
      {!m.isDeleted && (actions || notice) && (
        <div className="message-actions">
          {actions && (
            <div className="action-bar" role="group" aria-label={t('messageActions')}>
              {QUICK_REACTIONS.map((emoji) => {
                const on = m.reactions.some((r) => r.emoji === emoji && r.reactedByMe);
                return (
                  <button
                    key={emoji}
                    type="button"
                    className="icon"
                    aria-label={t('reactWith', { emoji })}
                    aria-pressed={on}
                    onClick={() => {
                      setActions(false);
                      void store.react(m, emoji, !on);
                    }}
                  >
                    {emoji}
                  </button>
                );
              })}
              {onReply && (
                <button
                  type="button"
                  onClick={() => {
                    setActions(false);
                    onReply();
                  }}
                >
                  {t('reply')}
                </button>
              )}
              {onThread && !inThread && (
                <button
                  type="button"
                  onClick={() => {
                    setActions(false);
                    onThread();
                  }}
                >
                  {t('thread')}
                </button>
              )}
              {mine && onEdit && (
                <button
                  type="button"
                  onClick={() => {
                    setActions(false);
                    onEdit();
                  }}
                >
                  {t('edit')}
                </button>
              )}
              {canDelete &&
                (confirming ? (
                  <>
                    <span>{t('confirmDelete')}</span>
                    <button type="button" className="danger" onClick={() => void store.remove(m)}>
                      {t('delete')}
                    </button>
                    <button type="button" onClick={() => setConfirming(false)}>
                      {t('cancel')}
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={() => setConfirming(true)}>
                    {t('delete')}
                  </button>
                ))}
              {!mine && (
                <button
                  type="button"
                  onClick={() => {
                    setActions(false);
                    void ok(
                      api.POST('/api/v1/conversations/{id}/messages/{messageId}/report', {
                        params: { path: { id: m.conversationId, messageId: m.id } },
                        body: { reason: 'reported from the web client' },
                      }),
                    ).then(() => setNotice(t('reported')));
                  }}
                >
                  {t('report')}
                </button>
              )}
            </div>
          )}
          {notice && <span role="status">{notice}</span>}
        </div>
      )}
    </article>
  );
}

/** A message waiting in the outbox (offline, or not answered yet). */
export function PendingItem({ item }: { item: Outgoing }) {
  const { t } = useTranslation();
  const store = useStore();
  return (
    <article className="message mine pending" aria-label={`${t('you')}: ${item.content}`}>
      <p className="content" dir="auto">
        {item.content}
      </p>
      <div className="meta">
        {item.error ? (
          <>
            <span className="error">{t('failed', { reason: item.error })}</span>
            <button type="button" onClick={() => store.discard(item.clientMessageId)}>
              {t('discard')}
            </button>
          </>
        ) : (
          <span className="receipt" role="img" aria-label={t('pending')} title={t('pending')}>
            🕓
          </span>
        )}
      </div>
    </article>
  );
}
