import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { Message } from '../api/types';
import { useAppState, useStore } from '../hooks';
import { dayLabel } from '../i18n';
import { Composer } from './Composer';
import { GroupSettingsDialog } from './GroupSettingsDialog';
import { BackIcon, MoreIcon, SearchIcon } from './Icons';
import { MessageItem, PendingItem } from './MessageItem';
import { SearchPanel } from './SearchPanel';
import { ThreadPanel } from './ThreadPanel';

/** One conversation: header, messages (oldest to newest), typing indicator and composer. */
export function ConversationView({
  id,
  onBack,
  onOpen,
}: {
  id: string;
  onBack: () => void;
  onOpen: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const state = useAppState();
  const conversation = state.conversations[id];
  const page = state.messages[id];
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [thread, setThread] = useState<Message | null>(null);
  const [menu, setMenu] = useState(false);
  const [groupSettings, setGroupSettings] = useState(false);
  const [searching, setSearching] = useState('');
  const [showSearch, setShowSearch] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previousHeight = useRef(0);
  const previousFirst = useRef<number | undefined>(undefined);

  const items = page?.items ?? [];
  const lastSeq = items[items.length - 1]?.seq;
  const outbox = state.outbox.filter((o) => o.conversationId === id);

  // stay at the bottom for new messages; keep the reading position when older ones load
  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    const first = items[0]?.seq;
    if (
      previousFirst.current !== undefined &&
      first !== undefined &&
      first < previousFirst.current
    ) {
      log.scrollTop += log.scrollHeight - previousHeight.current;
    } else if (atBottom.current) {
      log.scrollTop = log.scrollHeight;
    }
    previousFirst.current = first;
    previousHeight.current = log.scrollHeight;
  }, [items, lastSeq, outbox.length]);

  useEffect(() => {
    if (lastSeq !== undefined && atBottom.current) store.markRead(id);
  }, [lastSeq, id, store]);

  if (!conversation) return <p className="empty">…</p>;
  const typingNames = Object.entries(state.typing[id] ?? {})
    .filter(([userId]) => userId !== state.me.id)
    .map(([, u]) => u.name);
  const other =
    conversation.type === 'direct'
      ? conversation.participants.find((p) => p.userId !== state.me.id)
      : undefined;
  const presence = other ? (state.presence[other.userId] ?? 'offline') : null;
  const isGroup = conversation.type === 'group';

  const onScroll = () => {
    const log = logRef.current;
    if (!log) return;
    atBottom.current = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    if (log.scrollTop < 80) void store.loadOlder(id);
    if (atBottom.current) store.markRead(id);
  };

  const closeMenu = () => {
    setMenu(false);
    menuButton.current?.focus();
  };

  const run = async (work: () => Promise<unknown>, done?: string) => {
    closeMenu();
    setNotice(null);
    try {
      await work();
      if (done) setNotice(done);
    } catch (err) {
      setNotice(t('error', { message: err instanceof ApiError ? err.message : String(err) }));
    }
  };

  if (conversation.invitation === 'pending') {
    return (
      <section className="conversation" aria-label={conversation.title ?? ''}>
        <ConversationHeader title={conversation.title ?? ''} onBack={onBack} />
        <div className="invitation">
          <p>{t('pendingInvitation')}</p>
          <p>{conversation.participants.map((p) => p.displayName).join(', ')}</p>
          <div className="row">
            <button
              type="button"
              className="primary"
              onClick={() => void store.conversationAction(id, 'accept')}
            >
              {t('accept')}
            </button>
            <button
              type="button"
              onClick={() =>
                void ok(
                  api.POST('/api/v1/conversations/{id}/invitation/decline', {
                    params: { path: { id } },
                  }),
                ).then(() => {
                  store.forget(id);
                  onBack();
                })
              }
            >
              {t('decline')}
            </button>
          </div>
        </div>
      </section>
    );
  }

  let lastDay = '';
  return (
    <section className="conversation" aria-label={conversation.title ?? ''}>
      <ConversationHeader
        title={conversation.title ?? ''}
        subtitle={
          presence
            ? t(presence === 'offline' ? 'offlineStatus' : presence)
            : conversation.participants.map((p) => p.displayName).join(', ')
        }
        onBack={onBack}
      >
        <button
          type="button"
          className="icon"
          aria-label={t('searchHere')}
          title={t('searchHere')}
          aria-pressed={showSearch}
          onClick={() => setShowSearch(!showSearch)}
        >
          <SearchIcon />
        </button>
        <div
          className="menu-wrap"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && menu) {
              e.stopPropagation();
              closeMenu();
            }
          }}
        >
          <button
            ref={menuButton}
            type="button"
            className="icon"
            aria-label={t('conversationMenu')}
            title={t('conversationMenu')}
            aria-expanded={menu}
            onClick={() => setMenu(!menu)}
          >
            <MoreIcon />
          </button>
          {menu && (
            <div className="menu" role="group" aria-label={t('conversationMenu')}>
              {isGroup && (
                <button
                  type="button"
                  onClick={() => {
                    closeMenu();
                    setGroupSettings(true);
                  }}
                >
                  {t('groupSettings')}
                </button>
              )}
              <button
                type="button"
                onClick={() =>
                  void run(() =>
                    store.conversationAction(id, conversation.archived ? 'unarchive' : 'archive'),
                  )
                }
              >
                {conversation.archived ? t('unarchive') : t('archive')}
              </button>
              <button
                type="button"
                onClick={() =>
                  void run(() =>
                    store.conversationAction(id, conversation.muted ? 'unmute' : 'mute'),
                  )
                }
              >
                {conversation.muted ? t('unmute') : t('mute')}
              </button>
              {other && (
                <button
                  type="button"
                  onClick={() =>
                    void run(
                      () =>
                        ok(
                          api.POST('/api/v1/users/{id}/block', {
                            params: { path: { id: other.userId } },
                          }),
                        ),
                      t('blockedName', { name: other.displayName }),
                    )
                  }
                >
                  {t('block')}
                </button>
              )}
            </div>
          )}
        </div>
      </ConversationHeader>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {showSearch && (
        <div className="inline-search">
          <input
            type="search"
            aria-label={t('searchHere')}
            value={searching}
            onChange={(e) => setSearching(e.target.value)}
          />
          {searching.trim().length >= 2 && (
            <SearchPanel query={searching.trim()} conversationId={id} onOpen={onOpen} />
          )}
        </div>
      )}
      <div className="conversation-body">
        <div
          ref={logRef}
          role="log"
          aria-label={t('messages')}
          aria-live="polite"
          className="log"
          tabIndex={0}
          onScroll={onScroll}
        >
          {page?.hasOlder && items.length > 0 && (
            <button type="button" className="load-older" onClick={() => void store.loadOlder(id)}>
              {t('loadOlder')}
            </button>
          )}
          {items.map((m) => {
            const day = new Date(m.createdAt).toDateString();
            const separator = day !== lastDay;
            lastDay = day;
            return (
              <div key={m.id} className="message-row-wrap">
                {separator && (
                  // a separator's content is presentational: its name carries the day
                  <div
                    className="day"
                    role="separator"
                    aria-label={dayLabel(m.createdAt, i18n.language)}
                  >
                    {dayLabel(m.createdAt, i18n.language)}
                  </div>
                )}
                <MessageItem
                  message={m}
                  conversation={conversation}
                  onReply={() => {
                    setEditing(null);
                    setReplyTo(m);
                  }}
                  onEdit={() => {
                    setReplyTo(null);
                    setEditing(m);
                  }}
                  onThread={() => setThread(m)}
                />
              </div>
            );
          })}
          {outbox.map((o) => (
            <PendingItem key={o.clientMessageId} item={o} />
          ))}
        </div>
        {thread && (
          <ThreadPanel root={thread} conversation={conversation} onClose={() => setThread(null)} />
        )}
      </div>
      <div
        className="typing"
        role="status"
        aria-label={typingNames.length ? typingText(typingNames, t) : undefined}
      >
        {typingNames.length > 0 && typingText(typingNames, t)}
      </div>
      <Composer
        conversation={conversation}
        replyTo={replyTo}
        editing={editing}
        onDone={() => {
          setReplyTo(null);
          setEditing(null);
          atBottom.current = true;
        }}
      />
      {groupSettings && (
        <GroupSettingsDialog
          conversation={conversation}
          onClose={() => setGroupSettings(false)}
          onLeft={onBack}
        />
      )}
    </section>
  );
}

function typingText(
  names: string[],
  t: (k: string, o?: Record<string, unknown>) => string,
): string {
  return names.length === 1 ? t('isTyping', { name: names[0] }) : t('severalTyping');
}

function ConversationHeader({
  title,
  subtitle,
  onBack,
  children,
}: {
  title: string;
  subtitle?: string;
  onBack: () => void;
  children?: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <header className="conversation-header">
      <button type="button" className="back" onClick={onBack} aria-label={t('back')}>
        <BackIcon />
      </button>
      <div className="conversation-heading">
        <h2 dir="auto">{title}</h2>
        {subtitle && (
          <p className="muted" dir="auto">
            {subtitle}
          </p>
        )}
      </div>
      <div className="header-actions">{children}</div>
    </header>
  );
}
