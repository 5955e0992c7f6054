import { Injectable, Logger } from '@nestjs/common';
import { Transactions } from '../database/transactions';
import { AppendedMessage, MessagesRepository, NewMessage } from './messages.repository';

/** Sends written together at most; a bigger backlog goes out in several batches. */
const MAX_BATCH = 200;

/** A message a user sends (system messages have no sender and never come here). */
export type UserSend = NewMessage & { senderId: string };

/**
 * What a send writes besides its message (a flag, its attachments, its thread root's reply
 * count), in the transaction of its batch: it commits with the message, or neither does.
 */
export type AlongWith = (message: AppendedMessage) => Promise<void>;

interface Pending {
  message: UserSend;
  alongWith?: AlongWith;
  resolve: (row: AppendedMessage) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for every send (DESIGN.md): sends that arrive while a batch is being written
 * wait for it and then go out together in one statement (MessagesRepository.appendMany), so
 * the cost of a commit is shared when the service is busy and nothing waits on a timer when it
 * is not: a lone send is written at once. Each caller gets its own row, or its own error: when
 * a batch fails (a clientMessageId that another node stored a moment ago, say) nothing of it
 * was kept, and every send of it is written again on its own, so one bad send never fails the
 * others.
 *
 * Per process: batches of one node are written one after another; nodes write concurrently,
 * and the database orders them (see MessagesRepository.appendMany).
 */
@Injectable()
export class SendBatcher {
  private readonly logger = new Logger('SendBatcher');
  private pending: Pending[] = [];
  private writing = false;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Appends a user's message (its sender's read mark follows), with what it writes along with
   * it; resolves after the commit.
   */
  append(message: UserSend, alongWith?: AlongWith): Promise<AppendedMessage> {
    return new Promise((resolve, reject) => {
      this.pending.push({ message, alongWith, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // the sends of this turn of the event loop join the first batch; batches are their
        // own transactions, never the one a caller happens to be in
        setImmediate(() => void this.transactions.outside(() => this.drain()));
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.write(this.takeBatch());
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * The next sends to write, at most MAX_BATCH. A repeat of a clientMessageId already in the
   * batch waits for the next one, where it meets the stored message like any retry, instead
   * of failing the whole batch on the unique key.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    const keys = new Set<string>();
    for (const p of this.pending) {
      const { conversationId, senderId, clientMessageId } = p.message;
      const key =
        clientMessageId === null ? null : `${conversationId}/${senderId}/${clientMessageId}`;
      if (batch.length >= MAX_BATCH || (key !== null && keys.has(key))) {
        later.push(p);
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(p);
    }
    this.pending = later;
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const appended = await this.commit(batch);
      batch.forEach((p, i) => p.resolve(appended[i]));
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      this.logger.debug({ err }, `a batch of ${batch.length} sends failed; writing each alone`);
    }
    // one after another, so that a sender's messages keep their order
    for (const p of batch) {
      try {
        const [appended] = await this.commit([p]);
        p.resolve(appended);
      } catch (err) {
        p.reject(err);
      }
    }
  }

  /**
   * One statement for the messages; when a send writes more, a transaction around it and
   * those writes (a batch of plain sends needs none: its one statement is atomic).
   */
  private commit(batch: Pending[]): Promise<AppendedMessage[]> {
    const messages = batch.map((p) => p.message);
    if (!batch.some((p) => p.alongWith)) return this.messages.appendMany(messages);
    return this.transactions.run(async () => {
      const appended = await this.messages.appendMany(messages);
      for (const [i, p] of batch.entries()) await p.alongWith?.(appended[i]);
      return appended;
    });
  }
}
