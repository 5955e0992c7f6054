import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AttachmentStorage } from '../attachments/storage/attachment-storage';
import { Clock } from '../common/clock/clock';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { AppConfig } from '../config/app-config';
import { RetainedConversation, RetentionRepository, SweptBatch } from './retention.repository';
import { Transactions } from '../database/transactions';

const DAY_MS = 24 * 60 * 60_000;
const CONVERSATION_PAGE = 100;

/**
 * Retention (API.md, Retention): every node sweeps every `retention.sweepIntervalMs` (10 min,
 * so a message goes well within the hour after it expires). Each batch is one short
 * transaction over at most `retention.batchSize` messages of one conversation; nodes that
 * sweep at the same time queue on the conversation row for one batch and then find nothing
 * left to do. After each batch: the usual `message.deleted` / `message.updated` events (clients
 * also learn through sync, by the new versions), and the attachment bytes are removed through
 * the attachment storage (local disk or S3); bytes that cannot be removed now stay marked
 * deleted, and the attachments' own cleanup retries them.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly storage: AttachmentStorage,
    private readonly events: DomainEventBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'retention sweep failed'));
    }, this.config.retention.sweepIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current.catch(() => undefined);
  }

  /** One full sweep as of the Clock's now; sweeps of one node run one after another. */
  sweep(): Promise<void> {
    const pass = this.current.catch(() => undefined).then(() => this.pass());
    this.current = pass;
    return pass;
  }

  private async pass(): Promise<void> {
    const now = this.clock.now();
    let after: string | null = null;
    for (;;) {
      const page = await this.retention.conversations(
        this.config.retention.defaultDays,
        now,
        after,
        CONVERSATION_PAGE,
      );
      for (const conversation of page) {
        if (this.stopped) return;
        await this.sweepConversation(conversation, now);
      }
      if (page.length < CONVERSATION_PAGE) return;
      after = page[page.length - 1].id;
    }
  }

  private async sweepConversation(c: RetainedConversation, now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - c.days * DAY_MS);
    let after = c.swept_seq;
    let blocked = false;
    let settled: string | null = null;
    for (;;) {
      // the tombstones and their events commit together (outbox)
      const batch = await this.transactions.run(async () => {
        const swept = await this.retention.sweepBatch(
          c.id,
          after,
          cutoff,
          this.config.retention.batchSize,
          blocked,
        );
        await this.announce(c.id, swept);
        return swept;
      });
      await this.removeBytes(batch);
      blocked = batch.blocked;
      if (batch.settledTo !== null) settled = batch.settledTo;
      if (batch.reachedCutoff || batch.scannedTo === null || this.stopped) break;
      after = batch.scannedTo;
    }
    if (settled !== null) await this.retention.saveProgress(c.id, settled);
  }

  private async announce(conversationId: string, batch: SweptBatch): Promise<void> {
    for (const t of batch.tombstones) {
      await this.events.publish('message.deleted', {
        conversationId,
        messageId: t.id,
        seq: Number(t.seq),
        version: Number(t.version),
        senderId: t.sender_id,
      });
    }
    for (const r of batch.roots) {
      await this.events.publish('message.updated', {
        conversationId,
        messageId: r.id,
        seq: Number(r.seq),
        version: Number(r.version),
        senderId: r.sender_id,
      });
    }
  }

  /** After the commit: the bytes of the attachments the batch removed. */
  private async removeBytes(batch: SweptBatch): Promise<void> {
    const gone: string[] = [];
    for (const a of batch.attachments) {
      try {
        await this.storage.delete(a.storage_key);
        if (a.thumbnail_key) await this.storage.delete(a.thumbnail_key);
        gone.push(a.id);
      } catch (err) {
        this.logger.warn({ err, attachmentId: a.id }, 'could not remove attachment bytes');
      }
    }
    await this.retention.removeAttachments(gone);
  }
}
