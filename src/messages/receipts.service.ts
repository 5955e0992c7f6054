import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { Page } from '../common/pagination/page';
import { MessageAccess } from './message-access';
import { ReceiptKind, ReceiptsRepository } from './receipts.repository';

export class ReceiptDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  deliveredAt!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  readAt!: string | null;
}

export class LastReadDto {
  @ApiProperty()
  lastReadSeq!: number;
}

/** Read and delivery positions: they only move forward, and each move is announced once. */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly receipts: ReceiptsRepository,
    private readonly access: MessageAccess,
    private readonly events: DomainEventBus,
  ) {}

  async read(
    caller: AuthUser,
    conversationId: string,
    upToSeq: number,
    origin?: EventOrigin,
  ): Promise<LastReadDto> {
    const position = await this.advance(caller, conversationId, 'read', upToSeq, origin);
    return { lastReadSeq: position };
  }

  async delivered(
    caller: AuthUser,
    conversationId: string,
    upToSeq: number,
    origin?: EventOrigin,
  ): Promise<void> {
    await this.advance(caller, conversationId, 'delivered', upToSeq, origin);
  }

  async forMessage(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
  ): Promise<Page<ReceiptDto>> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.visibleMessage(m, messageId);
    const found = await this.receipts.forMessage(conversationId, message.seq, message.sender_id);
    return {
      items: found.map((r) => ({
        userId: r.user_id,
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        readAt: r.read_at?.toISOString() ?? null,
      })),
      nextCursor: null,
    };
  }

  private async advance(
    caller: AuthUser,
    conversationId: string,
    kind: ReceiptKind,
    upToSeq: number,
    origin?: EventOrigin,
  ): Promise<number> {
    await this.access.member(caller, conversationId);
    const result = await this.receipts.advance(conversationId, caller.id, kind, upToSeq);
    if (result.moved) {
      const upTo = Number(result.position);
      this.events.emit('receipt', {
        conversationId,
        userId: caller.id,
        kind,
        upToSeq: upTo,
        at: result.at.toISOString(),
        origin,
      });
      if (kind === 'read')
        this.events.emit('conversation.view_changed', {
          conversationId,
          userId: caller.id,
          origin,
        });
    }
    return Number(result.position);
  }
}
