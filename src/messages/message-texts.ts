import { Injectable } from '@nestjs/common';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { AppError } from '../common/errors/app-error';
import { EncryptionService } from '../encryption/encryption.service';
import type { NewFlag } from '../moderation/flags.repository';
import { ModerationFlags } from '../moderation/moderation-flags';
import { ModerationPipeline, ModerationResult } from '../moderation/moderation-pipeline';
import { Membership, MessageRow } from './entities/message.row';

const MAX_CONTENT = 4000;
/** e2e ciphertext: base64 of at most 16 KiB */
const MAX_E2E_CONTENT = Math.ceil((16 * 1024) / 3) * 4;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A text ready to store: moderated, and encrypted for at_rest conversations. */
export type StoredText = ModerationResult & { encrypted: boolean; flagContent: string };

/** The text of a message on its way to the log: checked, moderated, encrypted, flagged. */
@Injectable()
export class MessageTexts {
  constructor(
    private readonly flags: ModerationFlags,
    private readonly moderation: ModerationPipeline,
    private readonly encryption: EncryptionService,
    private readonly events: DomainEventBus,
  ) {}

  /**
   * What gets stored for a text: e2e ciphertext as given (base64, never moderated); otherwise
   * moderated, and for at_rest conversations encrypted (masked original and flag copy too).
   */
  async prepare(m: Membership, text: string): Promise<StoredText> {
    if (m.encryption === 'e2e') {
      if (!BASE64.test(text) || text.length > MAX_E2E_CONTENT) {
        throw AppError.validation({ content: ['e2e content must be base64, at most 16 KiB'] });
      }
    } else if ([...text].length > MAX_CONTENT) {
      throw AppError.validation({ content: [`content must be at most ${MAX_CONTENT} characters`] });
    }
    const result = this.moderate(m, text);
    if (m.encryption !== 'at_rest') return { ...result, encrypted: false, flagContent: text };
    const id = m.conversation_id;
    return {
      ...result,
      content: await this.encryption.encrypt(id, result.content),
      original:
        result.original === null
          ? null
          : await this.encryption.encrypt(id, result.original, 'original'),
      flagContent: await this.encryption.encrypt(id, text, 'flag'),
      encrypted: true,
    };
  }

  private moderate(m: Membership, text: string): ModerationResult {
    if (m.encryption === 'e2e') {
      return { content: text, moderation: 'clean', original: null, blocked: [], flagged: [] };
    }
    const result = this.moderation.run(text);
    if (result.blocked.length > 0)
      throw new AppError('CONTENT_BLOCKED', { reasons: result.blocked });
    return result;
  }

  /** Opens a flag for a stored text that the pipeline flagged, in the caller's transaction. */
  async openFlag(message: MessageRow, stored: StoredText): Promise<void> {
    if (stored.flagged.length === 0) return;
    await this.recordFlag({
      messageId: message.id,
      conversationId: message.conversation_id,
      senderId: message.sender_id,
      reasons: stored.flagged.map((f) => f.check),
      matched: stored.encrypted ? [] : stored.flagged.flatMap((f) => f.hits.map((h) => h.matched)),
      content: stored.flagContent,
      contentEncrypted: stored.encrypted,
    });
  }

  /** Opens a flag and announces it, in the caller's transaction. */
  async recordFlag(flag: NewFlag): Promise<void> {
    const flagId = await this.flags.open(flag);
    await this.events.publish('moderation.flagged', {
      flagId,
      messageId: flag.messageId,
      conversationId: flag.conversationId,
      senderId: flag.senderId,
      reasons: flag.reasons,
      reporterId: flag.reporterId ?? null,
    });
  }
}
