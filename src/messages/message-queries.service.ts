import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, PageQuery, toPage } from '../common/pagination/page';
import { MessageDto } from './dto/message.dto';
import { MessageRow } from './entities/message.row';
import { ChangesQuery, MessagesQuery } from './dto/message-inputs.dto';
import { MessageAccess } from './message-access';
import { MessageViews } from './message-views';
import { MessagesRepository, SentMessage } from './messages.repository';

/** Renders without a viewer: nobody's own reactions are marked. */
const NO_VIEWER = '00000000-0000-0000-0000-000000000000';

/** The content of a message given to integrations: left out of encrypted conversations. */
export type IntegrationContent =
  { content: string; contentOmitted: false } | { content: null; contentOmitted: true };

/** Reading the message log: history pages, single messages, threads, and the changes feed. */
@Injectable()
export class MessageQueriesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
  ) {}

  /** History by seq; `nextCursor` is always null: page on with the seqs. */
  async list(
    caller: AuthUser,
    conversationId: string,
    q: MessagesQuery,
  ): Promise<Page<MessageDto>> {
    if (q.beforeSeq !== undefined && q.afterSeq !== undefined) {
      throw AppError.validation({ afterSeq: ['give beforeSeq or afterSeq, not both'] });
    }
    const limit = q.limit ?? DEFAULT_LIMIT;
    // The page query reads the caller's membership itself; the check that answers 404 runs
    // alongside it instead of before it, which saves a round trip on every page.
    const [, rows] = await Promise.all([
      this.access.member(caller, conversationId),
      this.messages.history(
        conversationId,
        caller.id,
        q.afterSeq !== undefined
          ? { afterSeq: String(q.afterSeq) }
          : { beforeSeq: q.beforeSeq !== undefined ? String(q.beforeSeq) : null },
        limit,
      ),
    ]);
    return { items: await this.views.render(rows, caller.id), nextCursor: null };
  }

  async get(caller: AuthUser, conversationId: string, messageId: string): Promise<MessageDto> {
    const m = await this.access.member(caller, conversationId);
    return this.views.renderOne(await this.access.visibleMessage(m, messageId), caller.id);
  }

  /**
   * A message as the server holds it, for integrations (outgoing webhooks): no viewer, so no
   * `reactedByMe`; the content of `at_rest` and `e2e` conversations is left out (never
   * decrypted for this), and `contentOmitted` says so. Null when the message is gone.
   */
  async forIntegration(
    conversationId: string,
    messageId: string,
  ): Promise<(Omit<MessageDto, 'content'> & IntegrationContent) | null> {
    const row = await this.messages.findWithEncryption(conversationId, messageId);
    if (!row) return null;
    const { encryption, ...message } = row;
    if (encryption === 'none') {
      const dto = await this.views.renderOne(message, NO_VIEWER);
      return { ...dto, contentOmitted: false };
    }
    const dto = await this.views.renderOne(
      { ...message, content: '', encrypted: false },
      NO_VIEWER,
    );
    return { ...dto, content: null, contentOmitted: true };
  }

  /** The thread under a root, oldest first; for a reply, its root's thread. */
  async replies(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    q: PageQuery,
  ): Promise<Page<MessageDto>> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.visibleMessage(m, messageId);
    const rootId = message.thread_root_id ?? message.id;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { seq: 'int' }).seq : '0';
    const rows = await this.messages.replies(conversationId, rootId, caller.id, after, limit + 1);
    return this.page(rows, limit, caller.id, (r) => ({ seq: r.seq }));
  }

  /** Every change after a version, by version, tombstones included. */
  async changes(
    caller: AuthUser,
    conversationId: string,
    q: ChangesQuery,
  ): Promise<Page<MessageDto>> {
    if (q.sinceVersion !== undefined && q.cursor !== undefined) {
      throw AppError.validation({ cursor: ['give sinceVersion or cursor, not both'] });
    }
    await this.access.member(caller, conversationId);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const since = q.cursor ? Cursor.decode(q.cursor, { v: 'int' }).v : String(q.sinceVersion ?? 0);
    const rows = await this.messages.changes(conversationId, caller.id, since, limit + 1);
    return this.page(rows, limit, caller.id, (r) => ({ v: r.version }));
  }

  /**
   * For a reconnecting client's `sync`: per conversation, at most `limit` messages that the
   * viewer may see changed after its version, by version, in one statement.
   */
  changesOf(
    viewerId: string,
    since: { conversationId: string; sinceVersion: string }[],
    limit: number,
  ): Promise<SentMessage[]> {
    return this.messages.changesOf(viewerId, since, limit);
  }

  private async page(
    rows: MessageRow[],
    limit: number,
    viewerId: string,
    cursorOf: (row: MessageRow) => Record<string, unknown>,
  ): Promise<Page<MessageDto>> {
    const page = toPage(rows, limit, (r) => r, cursorOf);
    return { items: await this.views.render(page.items, viewerId), nextCursor: page.nextCursor };
  }
}
