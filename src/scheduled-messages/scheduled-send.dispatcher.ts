import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { SendMessage } from '../messages/send-message';
import { NotifierService } from '../notifications/notifier.service';
import { UsersService } from '../users/users.service';
import { ScheduledMessageRow } from './entities/scheduled-message.row';
import { failureNotice } from './failure-notice';
import { ScheduledMessagesRepository } from './scheduled-messages.repository';

/** How often each node looks for due messages: they go out within about this after sendAt. */
const POLL_INTERVAL_MS = 1000;
/**
 * How long a claim lasts: a node that died holding one delays its messages by this much, so
 * that with the poll they still go out within about 5 s of sendAt (API.md). A live node that
 * outruns it (a batch of sends slower than this) loses nothing: the next claimer's send finds
 * the first message by its idempotency key and only marks the row sent.
 */
export const CLAIM_LEASE_MS = 3_000;
const CLAIM_BATCH = 20;
/** A send that fails for reasons of the server (not of the message) is tried this often. */
const MAX_ATTEMPTS = 5;
/** A failure nobody was told about after this long was left by a node that died. */
const UNTOLD_AFTER_S = 60;

/** The idempotency key of a scheduled message's send: its retry finds the first message. */
export const scheduledClientMessageId = (id: string): string => `scheduled:${id}`;

/**
 * Sends due scheduled messages as their authors, through the ordinary send path, so every
 * check (membership, blocks, verification, moderation, rate limits) is made at send time.
 *
 * Exactly once, across restarts and nodes: a due row is claimed by one node for a short lease
 * (`FOR UPDATE SKIP LOCKED`), and the send carries the clientMessageId `scheduled:<id>`, so a
 * node that dies after the send and before marking the row `sent` leaves a row that the next
 * claim sends again and gets the first message back (the send's idempotency key), not a
 * second one.
 */
@Injectable()
export class ScheduledSendDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ScheduledSend');
  private timer: NodeJS.Timeout | undefined;
  /** passes run one after another on a node */
  private current: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly scheduled: ScheduledMessagesRepository,
    private readonly messages: SendMessage,
    private readonly users: UsersService,
    private readonly notifier: NotifierService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.runDue().catch((err: unknown) =>
        this.logger.warn({ err }, 'sending scheduled messages failed; will retry'),
      );
    }, POLL_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current.catch(() => undefined);
  }

  /**
   * One full pass: sends everything due now (by the Clock), then tells authors of failures
   * that a dead node left untold. Passes of one node queue behind each other, so a caller
   * (a test) that awaits this knows its pass has run.
   */
  runDue(): Promise<void> {
    const pass = this.current.catch(() => undefined).then(() => this.pass());
    this.current = pass;
    return pass;
  }

  private async pass(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = this.clock.now();
      const claimed = await this.scheduled.claimDue(
        now,
        new Date(now.getTime() + CLAIM_LEASE_MS),
        CLAIM_BATCH,
      );
      for (const item of claimed) await this.send(item);
      if (claimed.length < CLAIM_BATCH) break;
    }
    for (const item of await this.scheduled.claimUntold(UNTOLD_AFTER_S, CLAIM_BATCH)) {
      await this.tell(item);
    }
  }

  private async send(item: ScheduledMessageRow): Promise<void> {
    try {
      const author = await this.author(item.author_id);
      const { message } = await this.messages.send(author, item.conversation_id, {
        content: item.content,
        clientMessageId: scheduledClientMessageId(item.id),
        ...(item.reply_to_message_id ? { replyToMessageId: item.reply_to_message_id } : {}),
        ...(item.attachment_ids.length > 0 ? { attachmentIds: item.attachment_ids } : {}),
        ...(item.language ? { language: item.language } : {}),
      });
      await this.scheduled.markSent(item.id, message.id);
    } catch (err) {
      // A refusal of the message itself (4xx) is final; anything else is the server's trouble,
      // and the claim running out brings the message back for another try.
      if (err instanceof AppError && err.status < 500) return this.fail(item, err.code);
      if (item.attempts >= MAX_ATTEMPTS) return this.fail(item, 'INTERNAL');
      this.logger.warn({ err, scheduledMessageId: item.id }, 'scheduled send failed; will retry');
    }
  }

  private async fail(item: ScheduledMessageRow, code: string): Promise<void> {
    if (await this.scheduled.markFailed(item.id, code)) {
      await this.tell({ ...item, status: 'failed', failure: code });
    }
  }

  /** A `system` notification to the author of a failed message. */
  private async tell(item: ScheduledMessageRow): Promise<void> {
    try {
      const author = await this.users.getEntity(item.author_id);
      const { title, body } = failureNotice(item, author.locale);
      await this.notifier.notifySystem({
        userId: item.author_id,
        conversationId: item.conversation_id,
        title,
        body,
      });
      await this.scheduled.markNotified(item.id);
    } catch (err) {
      this.logger.warn({ err, scheduledMessageId: item.id }, 'could not tell about a failed send');
    }
  }

  /** The author as the send path sees a caller, from their account as it is now. */
  private async author(userId: string): Promise<AuthUser> {
    const user = await this.users.getEntity(userId);
    if (user.suspendedAt) throw new AppError('USER_SUSPENDED');
    return {
      id: user.id,
      // a scheduled send belongs to no session of the author's
      sessionId: '',
      role: user.role,
      locale: user.locale,
      displayName: user.displayName,
      verified: user.verificationStatus === 'verified',
    };
  }
}
