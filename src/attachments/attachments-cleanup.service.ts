import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DomainEvents } from '../common/events/domain-events';
import { AttachmentSealer } from './attachment-sealer';
import { AttachmentsRepository, StoredKeys } from './attachments.repository';
import { AttachmentStorage } from './storage/attachment-storage';
import { UploadSpool } from './upload/upload-spool';

/** How often the cleanup runs on each node (running it on several at once is harmless). */
export const CLEANUP_INTERVAL_MS = 15 * 60_000;
/** An upload no message has claimed after this long is removed. */
export const UNREFERENCED_TTL_MS = 24 * 60 * 60_000;
/** A spooled file this old was left by a crash mid-upload. */
const STALE_SPOOL_MS = 60 * 60_000;
const BATCH = 100;

/** Repeats a step that handles at most BATCH rows until one handles fewer. */
async function inBatches(step: () => Promise<number>): Promise<void> {
  let handled: number;
  do handled = await step();
  while (handled === BATCH);
}

/**
 * Removes attachment bytes that nobody can read any more: those of deleted messages (right
 * after the delete commits, and again on schedule in case that was missed) and uploads that
 * no message claimed within 24 hours; and seals at_rest attachments a crash left unsealed.
 */
@Injectable()
export class AttachmentsCleanup implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AttachmentsCleanup');
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly storage: AttachmentStorage,
    private readonly spool: UploadSpool,
    private readonly sealer: AttachmentSealer,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.track(this.run()), CLEANUP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.running);
  }

  /** The bytes of a deleted message's attachments go as soon as the delete has committed. */
  @OnEvent('message.deleted')
  onMessageDeleted(e: DomainEvents['message.deleted']): void {
    this.track(this.purge(e.messageId));
  }

  /** One pass of the scheduled cleanup. */
  async run(now = new Date()): Promise<void> {
    const createdBefore = new Date(now.getTime() - UNREFERENCED_TTL_MS);
    await inBatches(() => this.attachments.deleteUnreferenced(createdBefore, BATCH));
    await inBatches(() => this.attachments.deleteOfDeletedMessages(BATCH));
    await this.purge();
    await this.sealLeftovers();
    await this.spool.removeStale(STALE_SPOOL_MS);
  }

  /** Seals what a crash between a send's commit and its sealing left in the clear. */
  private async sealLeftovers(): Promise<void> {
    for (const { conversation_id, message_id } of await this.attachments.unsealedAtRest(BATCH)) {
      await this.sealer.sealMessage(conversation_id, message_id);
    }
  }

  /** Removes the bytes, then the rows, of deleted attachments (of one message, or all). */
  private async purge(messageId?: string): Promise<void> {
    for (;;) {
      const batch = await this.attachments.deleted(BATCH, messageId);
      const gone: string[] = [];
      for (const a of batch) if (await this.removeBytes(a)) gone.push(a.id);
      await this.attachments.remove(gone);
      // A batch with failures is retried on the next scheduled run, not in a loop now.
      if (batch.length < BATCH || gone.length < batch.length) return;
    }
  }

  private async removeBytes(a: StoredKeys): Promise<boolean> {
    try {
      await this.storage.delete(a.storage_key);
      if (a.thumbnail_key) await this.storage.delete(a.thumbnail_key);
      return true;
    } catch (err) {
      this.logger.warn(
        { err, attachmentId: a.id },
        'could not remove attachment bytes; will retry',
      );
      return false;
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err: unknown) => this.logger.error({ err }, 'attachment cleanup failed'))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }
}
