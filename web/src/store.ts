import type { Socket } from 'socket.io-client';
import { api, ApiError, ok } from './api/client';
import type {
  Conversation,
  ConversationEvent,
  ConversationRemovedEvent,
  Message,
  MessageDeletedEvent,
  MessageEvent,
  Notification,
  NotificationEvent,
  PresenceEvent,
  ReceiptEvent,
  SyncResult,
  TypingEvent,
  User,
} from './api/types';
import { connectSocket, request } from './realtime';
import type { Session } from './session';

/** A send not yet acknowledged: kept (also across reloads) until the service has it. */
export interface Outgoing {
  conversationId: string;
  clientMessageId: string;
  content: string;
  replyToMessageId?: string;
  attachmentIds?: string[];
  createdAt: string;
  error?: string;
}

export interface ConversationMessages {
  /** by seq, oldest first */
  items: Message[];
  hasOlder: boolean;
  loading: boolean;
}

export interface State {
  me: User;
  conversations: Record<string, Conversation>;
  archivedLoaded: boolean;
  messages: Record<string, ConversationMessages>;
  typing: Record<string, Record<string, { name: string; until: number }>>;
  presence: Record<string, string>;
  /** conversation → user → highest seq delivered to them */
  delivered: Record<string, Record<string, number>>;
  connected: boolean;
  outbox: Outgoing[];
  notifications: { unread: number; items: Notification[] | null };
  openId: string | null;
}

const TYPING_MS = 6_000;
const PAGE = 50;

const activity = (c: Conversation): string => c.lastMessage?.createdAt ?? c.updatedAt;

/** Conversations by last activity, newest first. */
export function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => activity(b).localeCompare(activity(a)));
}

/** Inserts or replaces by id, keeping seq order. */
export function mergeMessages(items: Message[], incoming: Message[]): Message[] {
  const byId = new Map(items.map((m) => [m.id, m]));
  for (const m of incoming) {
    const known = byId.get(m.id);
    if (!known || known.version <= m.version) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The receipt of an own message: sent, delivered to every other member, or read by them. */
export function receiptOf(
  message: Message,
  conversation: Conversation,
  delivered: Record<string, number> | undefined,
): 'sent' | 'delivered' | 'read' {
  const others = conversation.participants.filter(
    (p) => p.userId !== message.senderId && p.status === 'active',
  );
  if (others.length === 0) return 'sent';
  if (others.every((p) => p.lastReadSeq >= message.seq)) return 'read';
  if (
    others.every((p) => (delivered?.[p.userId] ?? 0) >= message.seq || p.lastReadSeq >= message.seq)
  )
    return 'delivered';
  return 'sent';
}

/**
 * The client's state and its one connection to the service. Every change replaces `state`, so
 * React re-renders from `useSyncExternalStore`. The rules it follows are the API's: per
 * conversation the highest `version` applied is kept; a gap, and every reconnect, calls `sync`.
 */
export class Store {
  state: State;
  readonly socket: Socket;
  private readonly listeners = new Set<() => void>();
  /** conversation → highest version applied without a gap */
  private readonly versions = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private syncing: Promise<void> | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly outboxKey: string;

  constructor(
    me: User,
    private readonly session: Session,
  ) {
    this.outboxKey = `messaging.outbox.${me.id}`;
    this.state = {
      me,
      conversations: {},
      archivedLoaded: false,
      messages: {},
      typing: {},
      presence: {},
      delivered: {},
      connected: false,
      outbox: readOutbox(this.outboxKey),
      notifications: { unread: 0, items: null },
      openId: null,
    };
    this.socket = connectSocket(() => session.accessToken());
    this.listen();
    window.addEventListener('storage', (e) => {
      if (e.key === this.outboxKey) this.set({ outbox: readOutbox(this.outboxKey) });
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): State => this.state;

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private upsertConversations(list: Conversation[]): void {
    const conversations = { ...this.state.conversations };
    for (const c of list) {
      conversations[c.id] = c;
      if (!this.versions.has(c.id)) this.versions.set(c.id, c.lastVersion);
    }
    this.set({ conversations });
  }

  // ---- loading -------------------------------------------------------------------------

  async load(): Promise<void> {
    await Promise.all([this.loadConversations(false), this.loadNotificationCount()]);
  }

  async loadConversations(archived: boolean): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await ok(
        api.GET('/api/v1/conversations', {
          params: { query: { archived, limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      );
      this.upsertConversations(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (archived) this.set({ archivedLoaded: true });
    await this.loadPresence();
  }

  private async loadPresence(): Promise<void> {
    const ids = [
      ...new Set(
        Object.values(this.state.conversations)
          .filter((c) => c.type === 'direct')
          .flatMap((c) => c.participants.map((p) => p.userId))
          .filter((id) => id !== this.state.me.id),
      ),
    ].slice(0, 100);
    if (ids.length === 0) return;
    const page = await ok(api.GET('/api/v1/presence', { params: { query: { userIds: ids } } }));
    const presence = { ...this.state.presence };
    for (const p of page.items) presence[p.userId] = p.status;
    this.set({ presence });
  }

  async loadNotificationCount(): Promise<void> {
    const { count } = await ok(api.GET('/api/v1/notifications/unread-count'));
    this.set({ notifications: { ...this.state.notifications, unread: count } });
  }

  async loadNotifications(): Promise<void> {
    const page = await ok(api.GET('/api/v1/notifications', { params: { query: { limit: 50 } } }));
    this.set({ notifications: { ...this.state.notifications, items: page.items } });
  }

  async readAllNotifications(): Promise<void> {
    await ok(api.POST('/api/v1/notifications/read-all'));
    this.set({
      notifications: {
        unread: 0,
        items: this.state.notifications.items?.map((n) => ({ ...n, isRead: true })) ?? null,
      },
    });
  }

  async fetchConversation(id: string): Promise<Conversation> {
    const c = await ok(api.GET('/api/v1/conversations/{id}', { params: { path: { id } } }));
    this.upsertConversations([c]);
    return c;
  }

  /** Opens a conversation: its newest page, marked read. */
  async open(id: string | null): Promise<void> {
    this.set({ openId: id });
    if (!id) return;
    const conversation = this.state.conversations[id] ?? (await this.fetchConversation(id));
    if (conversation.invitation === 'pending') return;
    if (!this.state.messages[id]) {
      this.versions.set(id, conversation.lastVersion);
      this.setMessages(id, { items: [], hasOlder: true, loading: true });
      const page = await ok(
        api.GET('/api/v1/conversations/{id}/messages', {
          params: { path: { id }, query: { limit: PAGE } },
        }),
      );
      this.setMessages(id, {
        items: mergeMessages(this.loaded(id)?.items ?? [], page.items),
        hasOlder: page.items.length === PAGE,
        loading: false,
      });
      void this.loadDelivered(id);
    }
    this.markRead(id);
  }

  async loadOlder(id: string): Promise<void> {
    const current = this.state.messages[id];
    if (!current || current.loading || !current.hasOlder) return;
    const oldest = current.items[0]?.seq;
    if (oldest === undefined || oldest <= 1) {
      this.setMessages(id, { ...current, hasOlder: false });
      return;
    }
    this.setMessages(id, { ...current, loading: true });
    const page = await ok(
      api.GET('/api/v1/conversations/{id}/messages', {
        params: { path: { id }, query: { beforeSeq: oldest, limit: PAGE } },
      }),
    );
    const now = this.state.messages[id] ?? current;
    this.setMessages(id, {
      items: mergeMessages(now.items, page.items),
      hasOlder: page.items.length === PAGE,
      loading: false,
    });
  }

  /** who has my newest message: the delivered marks of messages loaded before any event */
  private async loadDelivered(id: string): Promise<void> {
    const mine = [...(this.state.messages[id]?.items ?? [])]
      .reverse()
      .find((m) => m.senderId === this.state.me.id && !m.isDeleted);
    if (!mine) return;
    const page = await ok(
      api.GET('/api/v1/conversations/{id}/messages/{messageId}/receipts', {
        params: { path: { id, messageId: mine.id } },
      }),
    );
    for (const r of page.items) {
      if (r.deliveredAt) this.noteDelivered(id, r.userId, mine.seq);
    }
  }

  /** the loaded messages of a conversation, read afresh (events may have added some) */
  private loaded(id: string): ConversationMessages | undefined {
    return this.state.messages[id];
  }

  private setMessages(id: string, value: ConversationMessages): void {
    this.set({ messages: { ...this.state.messages, [id]: value } });
  }

  // ---- reading -------------------------------------------------------------------------

  /** Marks the open conversation read up to its newest message, when the page is seen. */
  markRead(id: string): void {
    const c = this.state.conversations[id];
    if (!c || document.visibilityState === 'hidden' || this.state.openId !== id) return;
    const me = c.participants.find((p) => p.userId === this.state.me.id);
    if (c.unreadCount === 0 && (me?.lastReadSeq ?? 0) >= c.lastSeq) return;
    this.upsertConversations([{ ...c, unreadCount: 0 }]);
    api
      .POST('/api/v1/conversations/{id}/read', {
        params: { path: { id } },
        body: { upToSeq: c.lastSeq },
      })
      .catch(() => undefined);
  }

  // ---- sending -------------------------------------------------------------------------

  send(
    conversationId: string,
    content: string,
    extra: { replyToMessageId?: string; attachmentIds?: string[] } = {},
  ): void {
    const item: Outgoing = {
      conversationId,
      clientMessageId: crypto.randomUUID(),
      content,
      createdAt: new Date().toISOString(),
      ...(extra.replyToMessageId ? { replyToMessageId: extra.replyToMessageId } : {}),
      ...(extra.attachmentIds?.length ? { attachmentIds: extra.attachmentIds } : {}),
    };
    this.setOutbox([...this.state.outbox, item]);
    void this.flush();
  }

  discard(clientMessageId: string): void {
    this.setOutbox(this.state.outbox.filter((o) => o.clientMessageId !== clientMessageId));
  }

  /**
   * Sends what waits in the outbox, each with its own clientMessageId: a send whose answer was
   * lost is sent again and the service returns the first message, so it is stored once.
   */
  async flush(): Promise<void> {
    if (!this.socket.connected) return;
    for (const item of this.state.outbox) {
      if (item.error || this.inFlight.has(item.clientMessageId)) continue;
      this.inFlight.add(item.clientMessageId);
      const { createdAt: _c, error: _e, ...payload } = item;
      request<Message>(this.socket, 'message:send', payload, 15_000)
        .then((ack) => {
          if (ack.ok) {
            this.discard(item.clientMessageId);
            this.applyMessage(ack.data);
          } else if (ack.error.statusCode !== 429 && ack.error.statusCode < 500) {
            this.setOutbox(
              this.state.outbox.map((o) =>
                o.clientMessageId === item.clientMessageId ? { ...o, error: ack.error.message } : o,
              ),
            );
          }
        })
        .catch(() => undefined) // no answer: sent again after the reconnect
        .finally(() => this.inFlight.delete(item.clientMessageId));
    }
  }

  private setOutbox(outbox: Outgoing[]): void {
    localStorage.setItem(this.outboxKey, JSON.stringify(outbox));
    this.set({ outbox });
  }

  /** Tells the others; false when it could not (offline), so the caller tries again. */
  typing(conversationId: string, isTyping: boolean): boolean {
    if (!this.socket.connected) return false;
    this.socket.emit(
      isTyping ? 'typing:start' : 'typing:stop',
      { conversationId },
      () => undefined,
    );
    return true;
  }

  async edit(message: Message, content: string): Promise<void> {
    const m = await ok(
      api.PATCH('/api/v1/conversations/{id}/messages/{messageId}', {
        params: { path: { id: message.conversationId, messageId: message.id } },
        body: { content },
      }),
    );
    this.applyMessage(m);
  }

  async remove(message: Message): Promise<void> {
    await ok(
      api.DELETE('/api/v1/conversations/{id}/messages/{messageId}', {
        params: { path: { id: message.conversationId, messageId: message.id } },
      }),
    );
    this.applyDeleted({
      conversationId: message.conversationId,
      messageId: message.id,
      seq: message.seq,
      version: message.version,
    });
  }

  async react(message: Message, emoji: string, on: boolean): Promise<void> {
    const params = {
      params: { path: { id: message.conversationId, messageId: message.id, emoji } },
    };
    const m = await ok(
      on
        ? api.PUT('/api/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params)
        : api.DELETE('/api/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params),
    );
    this.applyMessage(m);
  }

  /** the user's language: the service writes errors, emails and pushes in it */
  async updateLocale(locale: 'en' | 'ar'): Promise<void> {
    if (this.state.me.locale === locale) return;
    const me = await ok(api.PATCH('/api/v1/users/me', { body: { locale } }));
    this.set({ me });
    this.session.setUser(me);
  }

  // ---- conversations -----------------------------------------------------------------

  async conversationAction(
    id: string,
    action: 'archive' | 'unarchive' | 'mute' | 'unmute' | 'accept',
  ): Promise<Conversation> {
    const params = { params: { path: { id } } };
    const c = await ok(
      action === 'archive'
        ? api.POST('/api/v1/conversations/{id}/archive', params)
        : action === 'unarchive'
          ? api.POST('/api/v1/conversations/{id}/unarchive', params)
          : action === 'mute'
            ? api.POST('/api/v1/conversations/{id}/mute', { ...params, body: {} })
            : action === 'unmute'
              ? api.POST('/api/v1/conversations/{id}/unmute', params)
              : api.POST('/api/v1/conversations/{id}/invitation/accept', params),
    );
    this.upsertConversations([c]);
    if (action === 'accept') {
      const { [id]: _dropped, ...messages } = this.state.messages;
      this.set({ messages });
      await this.open(id);
    }
    return c;
  }

  forget(id: string): void {
    const { [id]: _c, ...conversations } = this.state.conversations;
    const { [id]: _m, ...messages } = this.state.messages;
    this.versions.delete(id);
    this.set({
      conversations,
      messages,
      openId: this.state.openId === id ? null : this.state.openId,
    });
  }

  // ---- events --------------------------------------------------------------------------

  private listen(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.set({ connected: true });
      void this.sync().then(() => this.flush());
    });
    s.on('disconnect', () => this.set({ connected: false, typing: {} }));
    s.on('connect_error', (err) => {
      if (err.message === 'unauthorized') {
        this.session.refresh().then(
          () => s.connect(),
          () => undefined,
        );
      }
    });
    s.on('message:new', (e: MessageEvent) => this.onMessage(e.message, true));
    s.on('message:updated', (e: MessageEvent) => this.onMessage(e.message, false));
    s.on('message:deleted', (e: MessageDeletedEvent) => {
      this.track(e.conversationId, e.version);
      this.applyDeleted(e);
    });
    s.on('typing', (e: TypingEvent) => this.onTyping(e));
    s.on('receipt', (e: ReceiptEvent) => this.onReceipt(e));
    s.on('presence', (e: PresenceEvent) =>
      this.set({ presence: { ...this.state.presence, [e.userId]: e.status } }),
    );
    s.on('conversation:new', (e: ConversationEvent) => {
      this.upsertConversations([e.conversation]);
      void this.loadPresence();
    });
    s.on('conversation:updated', (e: ConversationEvent) => {
      const known = this.state.conversations[e.conversation.id];
      const accepted = known?.invitation === 'pending' && e.conversation.invitation === null;
      this.upsertConversations([e.conversation]);
      if (accepted) {
        const { [e.conversation.id]: _m, ...messages } = this.state.messages;
        this.set({ messages });
        if (this.state.openId === e.conversation.id) void this.open(e.conversation.id);
      }
    });
    s.on('conversation:removed', (e: ConversationRemovedEvent) => this.forget(e.conversationId));
    s.on('notification:new', (e: NotificationEvent) => {
      const n = this.state.notifications;
      this.set({
        notifications: {
          unread: n.unread + (e.notification.isRead ? 0 : 1),
          items: n.items ? [e.notification, ...n.items] : null,
        },
      });
    });
  }

  /** Notes a version applied; a gap means an event was lost: sync fills it. */
  private track(conversationId: string, version: number): void {
    const known = this.versions.get(conversationId);
    if (known === undefined || version <= known) return;
    if (version === known + 1) this.versions.set(conversationId, version);
    else void this.sync();
  }

  private onMessage(message: Message, isNew: boolean): void {
    this.track(message.conversationId, message.version);
    if (!this.state.conversations[message.conversationId]) {
      void this.fetchConversation(message.conversationId);
    }
    this.applyMessage(message);
    if (isNew && message.senderId !== this.state.me.id && this.socket.connected) {
      this.socket.emit(
        'message:delivered',
        { conversationId: message.conversationId, upToSeq: message.seq },
        () => undefined,
      );
    }
    if (isNew && message.senderId) this.stopTyping(message.conversationId, message.senderId);
  }

  /** Puts a message where it belongs; a new one moves its conversation up and may be unread. */
  applyMessage(message: Message): void {
    const id = message.conversationId;
    const loaded = this.state.messages[id];
    if (loaded) {
      const isReply = message.threadRootId && !loaded.items.some((x) => x.id === message.id);
      // a reply changes its root's replyCount, and no event says so: count it here
      const items = isReply
        ? bumpReplies(loaded.items, message.threadRootId!, message.isDeleted ? 0 : 1)
        : loaded.items;
      this.setMessages(id, { ...loaded, items: mergeMessages(items, [message]) });
    }
    const c = this.state.conversations[id];
    if (!c) return;
    const isNewer = message.seq > c.lastSeq;
    const mine = message.senderId === this.state.me.id;
    const next: Conversation = {
      ...c,
      lastSeq: Math.max(c.lastSeq, message.seq),
      lastVersion: Math.max(c.lastVersion, message.version),
      lastMessage:
        isNewer || c.lastMessage?.id === message.id || !c.lastMessage ? message : c.lastMessage,
      unreadCount: isNewer && !mine ? c.unreadCount + 1 : c.unreadCount,
      participants: mine
        ? c.participants.map((p) =>
            p.userId === this.state.me.id
              ? { ...p, lastReadSeq: Math.max(p.lastReadSeq, message.seq) }
              : p,
          )
        : c.participants,
    };
    this.upsertConversations([next]);
    if (isNewer && !mine) this.markRead(id);
  }

  private applyDeleted(e: MessageDeletedEvent): void {
    const loaded = this.state.messages[e.conversationId];
    const tomb = (m: Message): Message => ({
      ...m,
      isDeleted: true,
      content: '',
      attachments: [],
      reactions: [],
      version: Math.max(m.version, e.version),
    });
    if (loaded) {
      const gone = loaded.items.find((m) => m.id === e.messageId && !m.isDeleted);
      const items = gone?.threadRootId
        ? bumpReplies(loaded.items, gone.threadRootId, -1)
        : loaded.items;
      this.setMessages(e.conversationId, {
        ...loaded,
        items: items.map((m) => (m.id === e.messageId ? tomb(m) : m)),
      });
    }
    const c = this.state.conversations[e.conversationId];
    if (c?.lastMessage?.id === e.messageId) {
      this.upsertConversations([{ ...c, lastMessage: tomb(c.lastMessage) }]);
    }
  }

  private onTyping(e: TypingEvent): void {
    if (!e.isTyping) return this.stopTyping(e.conversationId, e.userId);
    const forConversation = { ...this.state.typing[e.conversationId] };
    forConversation[e.userId] = { name: e.displayName, until: Date.now() + TYPING_MS };
    this.set({ typing: { ...this.state.typing, [e.conversationId]: forConversation } });
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.expireTyping(), TYPING_MS + 100);
  }

  private stopTyping(conversationId: string, userId: string): void {
    const forConversation = this.state.typing[conversationId];
    if (!forConversation?.[userId]) return;
    const { [userId]: _gone, ...rest } = forConversation;
    this.set({ typing: { ...this.state.typing, [conversationId]: rest } });
  }

  private expireTyping(): void {
    const now = Date.now();
    const typing: State['typing'] = {};
    for (const [c, users] of Object.entries(this.state.typing)) {
      typing[c] = Object.fromEntries(Object.entries(users).filter(([, u]) => u.until > now));
    }
    this.set({ typing });
  }

  private onReceipt(e: ReceiptEvent): void {
    if (e.kind === 'delivered') return this.noteDelivered(e.conversationId, e.userId, e.upToSeq);
    const c = this.state.conversations[e.conversationId];
    if (!c) return;
    this.upsertConversations([
      {
        ...c,
        participants: c.participants.map((p) =>
          p.userId === e.userId ? { ...p, lastReadSeq: Math.max(p.lastReadSeq, e.upToSeq) } : p,
        ),
        unreadCount: e.userId === this.state.me.id && e.upToSeq >= c.lastSeq ? 0 : c.unreadCount,
      },
    ]);
  }

  private noteDelivered(conversationId: string, userId: string, upToSeq: number): void {
    const current = this.state.delivered[conversationId] ?? {};
    if ((current[userId] ?? 0) >= upToSeq) return;
    this.set({
      delivered: { ...this.state.delivered, [conversationId]: { ...current, [userId]: upToSeq } },
    });
  }

  // ---- catching up ---------------------------------------------------------------------

  /** After a reconnect (or a lost event): what changed while this client was not listening. */
  sync(): Promise<void> {
    this.syncing ??= this.runSync().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    const changed = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const since = Object.fromEntries([...this.versions.entries()].slice(0, 500));
      let ack;
      try {
        ack = await request<SyncResult>(this.socket, 'sync', { since });
      } catch {
        return;
      }
      if (!ack.ok) return;
      for (const c of ack.data.conversations) {
        this.versions.set(c.id, c.lastVersion);
        changed.add(c.id);
      }
      this.upsertConversations(ack.data.conversations);
      for (const [id, messages] of Object.entries(ack.data.changes)) {
        for (const m of messages) {
          if (m.isDeleted) {
            this.applyDeleted({
              conversationId: id,
              messageId: m.id,
              seq: m.seq,
              version: m.version,
            });
          }
          this.applyMessage(m);
          this.versions.set(id, Math.max(this.versions.get(id) ?? 0, m.version));
          changed.add(id);
        }
      }
      if (!ack.data.hasMore) break;
    }
    // titles, members and unread counts of what changed, as the service sees them now
    await Promise.all(
      [...changed].map((id) =>
        this.fetchConversation(id).catch((e: unknown) => {
          if (e instanceof ApiError && e.body.statusCode === 404) this.forget(id);
        }),
      ),
    );
  }
}

/** The thread root with `delta` more (or fewer) live replies. */
export function bumpReplies(items: Message[], rootId: string, delta: number): Message[] {
  return items.map((m) =>
    m.id === rootId ? { ...m, replyCount: Math.max(0, m.replyCount + delta) } : m,
  );
}

function readOutbox(key: string): Outgoing[] {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '[]') as Outgoing[];
  } catch {
    return [];
  }
}
