import { Injectable } from '@nestjs/common';
import { MessageAttachments } from '../attachments/message-attachments';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, toPage } from '../common/pagination/page';
import { SendMessageDto } from '../messages/dto/message-inputs.dto';
import { MessageAccess } from '../messages/message-access';
import { ScheduledMessageDto, toScheduledMessageDto } from './dto/scheduled-message.dto';
import {
  ListScheduledMessagesQuery,
  UpdateScheduledMessageDto,
} from './dto/scheduled-message-inputs.dto';
import { MessageScheduler } from './message-scheduler';
import { ScheduledMessagesRepository } from './scheduled-messages.repository';

/** At most this many `scheduled` messages per user (`422 TOO_MANY_SCHEDULED`). */
export const MAX_SCHEDULED_PER_USER = 100;
const MAX_CONTENT = 4000;
export const MIN_LEAD_MS = 10_000;
export const MAX_LEAD_MS = 30 * 24 * 60 * 60_000;

/**
 * A user's scheduled messages: storing, listing, changing and canceling them. Nothing is
 * checked against the conversation's rules here beyond membership: moderation, blocks,
 * verification and rate limits are the send's, when it runs (ScheduledSendDispatcher).
 */
@Injectable()
export class ScheduledMessagesService implements MessageScheduler {
  constructor(
    private readonly scheduled: ScheduledMessagesRepository,
    private readonly access: MessageAccess,
    private readonly attachments: MessageAttachments,
    private readonly clock: Clock,
  ) {}

  async schedule(
    caller: AuthUser,
    conversationId: string,
    input: SendMessageDto,
  ): Promise<ScheduledMessageDto> {
    const sendAt = this.sendAtOf(input.sendAt!);
    await this.assertContentFits(caller, conversationId, input.content);
    // the caller's own unused uploads (422 INVALID_ATTACHMENT); kept until the send
    await this.attachments.messageType(caller.id, input.attachmentIds ?? []);
    const stored = await this.scheduled.insertWithinLimit(
      {
        authorId: caller.id,
        conversationId,
        content: input.content,
        replyToMessageId: input.replyToMessageId ?? null,
        attachmentIds: input.attachmentIds ?? [],
        language: input.language ?? null,
        clientMessageId: input.clientMessageId ?? null,
        sendAt,
      },
      MAX_SCHEDULED_PER_USER,
    );
    if (!stored) throw new AppError('TOO_MANY_SCHEDULED', { max: MAX_SCHEDULED_PER_USER });
    return toScheduledMessageDto(stored.row);
  }

  async list(caller: AuthUser, q: ListScheduledMessagesQuery): Promise<Page<ScheduledMessageDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { at: 'string', id: 'uuid' }) : null;
    const afterAt = after ? new Date(after.at) : null;
    if (afterAt && Number.isNaN(afterAt.getTime()))
      throw AppError.validation({ cursor: ['cursor is not valid'] });
    const found = await this.scheduled.list({
      authorId: caller.id,
      conversationId: q.conversationId ?? null,
      status: q.status ?? null,
      after: after && afterAt ? { sendAt: afterAt, id: after.id } : null,
      limit: limit + 1,
    });
    return toPage(found, limit, toScheduledMessageDto, (r) => ({
      at: r.send_at.toISOString(),
      id: r.id,
    }));
  }

  async update(
    caller: AuthUser,
    id: string,
    dto: UpdateScheduledMessageDto,
  ): Promise<ScheduledMessageDto> {
    const current = await this.own(caller, id);
    const sendAt = dto.sendAt === undefined ? null : this.sendAtOf(dto.sendAt);
    if (dto.content !== undefined) {
      if (dto.content.length === 0 && current.attachment_ids.length === 0)
        throw AppError.validation({ content: ['content must not be empty'] });
      await this.assertContentFits(caller, current.conversation_id, dto.content);
    }
    const updated = await this.scheduled.update(
      caller.id,
      id,
      { content: dto.content ?? null, sendAt },
      this.clock.now(),
    );
    if (!updated) throw new AppError('NOT_SCHEDULED', { status: current.status });
    return toScheduledMessageDto(updated);
  }

  /** Cancels a pending message; canceling a canceled one again is fine. */
  async cancel(caller: AuthUser, id: string): Promise<void> {
    const current = await this.own(caller, id);
    if (current.status === 'canceled') return;
    if (!(await this.scheduled.cancel(caller.id, id, this.clock.now())))
      throw new AppError('NOT_SCHEDULED', { status: current.status });
  }

  private async own(caller: AuthUser, id: string) {
    const found = await this.scheduled.findOwn(caller.id, id);
    if (!found) throw AppError.notFound();
    return found;
  }

  /**
   * The caller is an active member (else 404) and the text fits the conversation: 4000
   * characters, or base64 ciphertext (up to 16 KiB, as the DTO allows) in e2e conversations.
   */
  private async assertContentFits(
    caller: AuthUser,
    conversationId: string,
    content: string,
  ): Promise<void> {
    const m = await this.access.member(caller, conversationId);
    if (m.encryption !== 'e2e' && [...content].length > MAX_CONTENT)
      throw AppError.validation({ content: [`content must be at most ${MAX_CONTENT} characters`] });
  }

  /** `sendAt` 10 s to 30 days ahead of now, else `400`. */
  private sendAtOf(value: string): Date {
    const at = new Date(value);
    const ahead = at.getTime() - this.clock.now().getTime();
    if (Number.isNaN(ahead) || ahead < MIN_LEAD_MS || ahead > MAX_LEAD_MS)
      throw AppError.validation({ sendAt: ['sendAt must be 10 seconds to 30 days ahead'] });
    return at;
  }
}
