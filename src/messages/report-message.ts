import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { Transactions } from '../database/transactions';
import { EncryptionService } from '../encryption/encryption.service';
import { MessageAccess } from './message-access';
import { MessageTexts } from './message-texts';

/** Reporting a message to the moderators. */
@Injectable()
export class ReportMessage {
  constructor(
    private readonly access: MessageAccess,
    private readonly texts: MessageTexts,
    private readonly encryption: EncryptionService,
    private readonly transactions: Transactions,
  ) {}

  /** A participant reports a message to the moderators. */
  async report(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    reason: string,
  ): Promise<void> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.liveMessage(m, messageId);
    // the reviewers' copy; at_rest content stays encrypted, under its own purpose
    const content = message.encrypted
      ? await this.encryption.encrypt(
          conversationId,
          await this.encryption.decrypt(conversationId, message.content),
          'flag',
        )
      : message.content;
    await this.transactions.run(() =>
      this.texts.recordFlag({
        messageId,
        conversationId,
        senderId: message.sender_id,
        reasons: ['reported'],
        reporterId: caller.id,
        reportReason: reason,
        content,
        contentEncrypted: message.encrypted,
      }),
    );
  }
}
