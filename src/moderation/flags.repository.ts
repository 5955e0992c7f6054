import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { row } from '../database/sql';

export interface NewFlag {
  messageId: string;
  conversationId: string;
  senderId: string | null;
  reasons: string[];
  matched?: string[];
  reporterId?: string | null;
  reportReason?: string | null;
}

/** Moderation flags: opened by the moderation pipeline or by a participant's report. */
@Injectable()
export class FlagsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async open(flag: NewFlag, db: DataSource | EntityManager = this.db): Promise<string> {
    const created = await row<{ id: string }>(
      db,
      `INSERT INTO moderation_flags (message_id, conversation_id, sender_id, reasons, matched, reporter_id, report_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        flag.messageId,
        flag.conversationId,
        flag.senderId,
        flag.reasons,
        flag.matched ?? [],
        flag.reporterId ?? null,
        flag.reportReason ?? null,
      ],
    );
    return created!.id;
  }
}
