import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { AttachmentSealer } from './attachment-sealer';
import { toAttachmentDto } from './attachment-views';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentDto } from './dto/attachment.dto';

/** A message's type as its attachments make it. */
export type AttachmentMessageType = 'text' | 'image' | 'audio' | 'file';

/**
 * What the message log needs of attachments: checking and claiming them on send, deleting
 * them with their message, and loading them to render messages.
 */
@Injectable()
export class MessageAttachments {
  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly sealer: AttachmentSealer,
  ) {}

  /** After the send commits: an at_rest conversation keeps no attachment bytes in the clear. */
  sealForConversation(conversationId: string, messageId: string): Promise<void> {
    return this.sealer.sealMessage(conversationId, messageId);
  }

  /**
   * Checks that every id is an attachment the sender uploaded and no message uses yet (else
   * `422 INVALID_ATTACHMENT`, naming the bad ids), and gives the message type they make:
   * `image` when all are images, `audio` when all are audio, `file` otherwise, `text` when
   * there are none.
   */
  async messageType(senderId: string, ids: string[]): Promise<AttachmentMessageType> {
    if (ids.length === 0) return 'text';
    const found = new Map((await this.attachments.findMany(ids)).map((a) => [a.id, a]));
    const invalid = ids.filter((id, i) => {
      const a = found.get(id);
      const usable = a && a.uploader_id === senderId && !a.message_id && !a.deleted_at;
      return !usable || ids.indexOf(id) !== i;
    });
    if (invalid.length > 0)
      throw new AppError('INVALID_ATTACHMENT', { attachmentIds: [...new Set(invalid)] });
    const kinds = new Set(ids.map((id) => found.get(id)?.kind));
    if (kinds.size === 1 && kinds.has('image')) return 'image';
    if (kinds.size === 1 && kinds.has('audio')) return 'audio';
    return 'file';
  }

  /**
   * Claims the attachments for a new message inside its transaction; when another send got one
   * first, fails the whole send with `422 INVALID_ATTACHMENT`.
   */
  async claim(messageId: string, senderId: string, ids: string[]): Promise<void> {
    const claimed = new Set(await this.attachments.claim(messageId, senderId, ids));
    if (claimed.size < ids.length) {
      const lost = ids.filter((id) => !claimed.has(id));
      throw new AppError('INVALID_ATTACHMENT', { attachmentIds: [...new Set(lost)] });
    }
  }

  /** Deletes a message's attachments inside the transaction that deletes the message. */
  deleteWithMessage(messageId: string): Promise<void> {
    return this.attachments.deleteOfMessage(messageId);
  }

  /** The attachments of each message, in one query. */
  async forMessages(messageIds: string[]): Promise<Map<string, AttachmentDto[]>> {
    const byMessage = new Map<string, AttachmentDto[]>();
    for (const a of await this.attachments.ofMessages(messageIds)) {
      const list = byMessage.get(a.message_id!) ?? [];
      list.push(toAttachmentDto(a));
      byMessage.set(a.message_id!, list);
    }
    return byMessage;
  }
}
