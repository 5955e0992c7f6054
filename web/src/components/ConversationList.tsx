import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Conversation, Message } from '../api/types';
import { useAppState, useStore } from '../hooks';
import { formatDay, formatNumber, formatTime } from '../i18n';
import { sortConversations } from '../store';

/** Text of a list preview: a message's words, or what it carries. */
export function usePreview(): (m: Message | null) => string {
  const { t } = useTranslation();
  const system = useSystemText();
  return (m) => {
    if (!m) return '';
    if (m.isDeleted) return t('deleted');
    if (m.type === 'system') return system(m);
    if (m.content) return m.content;
    const kind = m.attachments[0]?.kind as string | undefined;
    return kind === 'image' ? t('image') : kind === 'audio' ? t('voiceMessage') : t('file');
  };
}

/** A system message in words, with the members' names. */
export function useSystemText(): (m: Message, c?: Conversation) => string {
  const { t } = useTranslation();
  const state = useAppState();
  return (m, c) => {
    const conversation = c ?? state.conversations[m.conversationId];
    const name = (id?: string) =>
      id === state.me.id
        ? t('you')
        : (conversation?.participants.find((p) => p.userId === id)?.displayName ?? t('someone'));
    const sys = m.system;
    if (!sys) return '';
    return t(`system.${sys.kind}`, {
      actor: name(sys.actorId),
      users: (sys.userIds ?? []).map(name).join(', '),
      title: sys.title ?? '',
    });
  };
}

const isToday = (iso: string) => new Date(iso).toDateString() === new Date().toDateString();

/** The list of conversations by last activity, with the "Archived" view. */
export function ConversationList({
  openId,
  onOpen,
}: {
  openId: string | null;
  onOpen: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const state = useAppState();
  const preview = usePreview();
  const [archived, setArchived] = useState(false);
  const lng = i18n.language;
  const list = sortConversations(
    Object.values(state.conversations).filter((c) => c.archived === archived),
  );

  const toggleArchived = () => {
    if (!archived && !state.archivedLoaded) void store.loadConversations(true);
    setArchived(!archived);
  };

  return (
    <div className="conversation-list">
      <div className="list-header">
        <h2>{archived ? t('archived') : t('conversations')}</h2>
        <button type="button" aria-pressed={archived} onClick={toggleArchived}>
          {archived ? t('inbox') : t('archived')}
        </button>
      </div>
      {list.length === 0 && <p className="empty">{t('noConversations')}</p>}
      <ul aria-label={t('conversations')}>
        {list.map((c) => {
          const other =
            c.type === 'direct' ? c.participants.find((p) => p.userId !== state.me.id) : undefined;
          const presence = other ? (state.presence[other.userId] ?? 'offline') : null;
          const when = c.lastMessage?.createdAt ?? c.updatedAt;
          const infoId = `conv-info-${c.id}`;
          return (
            <li
              key={c.id}
              className={`conv-item ${c.id === openId ? 'active' : ''} ${c.unreadCount ? 'unread' : ''}`}
            >
              <span className="avatar" aria-hidden="true">
                {(c.title ?? '?').slice(0, 1)}
                {presence && <span className={`dot ${presence}`} />}
              </span>
              <span className="conversation-text">
                <span className="conversation-top">
                  {/* named by the title; its ::after covers the whole item, the finger's target */}
                  <a
                    href={`/c/${c.id}`}
                    className="title stretched"
                    dir="auto"
                    aria-current={c.id === openId ? 'page' : undefined}
                    aria-describedby={infoId}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(c.id);
                    }}
                  >
                    {c.title}
                  </a>
                  <time dateTime={when}>
                    {isToday(when) ? formatTime(when, lng) : formatDay(when, lng)}
                  </time>
                </span>
                <span id={infoId} className="conversation-bottom">
                  {presence && (
                    <span className="sr-only">
                      {t(presence === 'offline' ? 'offlineStatus' : presence)}
                    </span>
                  )}
                  <span className="preview" dir="auto">
                    {c.invitation === 'pending' ? t('invitation') : preview(c.lastMessage)}
                  </span>
                  {c.muted && <span className="tag">{t('muted')}</span>}
                  {c.archived && <span className="tag">{t('archived')}</span>}
                  {c.unreadCount > 0 && (
                    <span className="badge">
                      <span aria-hidden="true">{formatNumber(c.unreadCount, lng)}</span>
                      <span className="sr-only">{t('unread', { count: c.unreadCount })}</span>
                    </span>
                  )}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
