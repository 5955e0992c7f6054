import { Injectable } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { EncryptionService } from '../encryption/encryption.service';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentRow } from './entities/attachment.row';
import { AttachmentStorage, newStorageKey } from './storage/attachment-storage';
import { UploadSpool } from './upload/upload-spool';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type Part = 'file' | 'thumbnail';
const purpose = (a: Pick<AttachmentRow, 'id'>, part: Part) => `attachment-${part}:${a.id}`;

/**
 * Attachment bytes of at_rest conversations: once a message claims them, they are stored
 * again sealed (AES-256-GCM) under the conversation's data key, bound to the attachment and
 * part, and the copies as uploaded are removed. Downloads open them in memory.
 */
@Injectable()
export class AttachmentSealer {
  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly storage: AttachmentStorage,
    private readonly spool: UploadSpool,
    private readonly encryption: EncryptionService,
  ) {}

  async sealMessage(conversationId: string, messageId: string): Promise<void> {
    for (const a of await this.attachments.unsealedOf(messageId)) {
      const storageKey = await this.sealObject(conversationId, a, a.storage_key, 'file');
      const thumbnailKey = a.thumbnail_key
        ? await this.sealObject(conversationId, a, a.thumbnail_key, 'thumbnail')
        : null;
      const swapped = await this.attachments.markSealed(a.id, conversationId, {
        storageKey,
        thumbnailKey,
      });
      // Remove whichever copies lost: the plaintext ones, or ours when another node sealed first.
      const stale = swapped ? [a.storage_key, a.thumbnail_key] : [storageKey, thumbnailKey];
      await Promise.all(
        stale.filter((k): k is string => k !== null).map((k) => this.storage.delete(k)),
      );
    }
  }

  /** The plaintext of a sealed part; throws on a wrong key or tampered bytes. */
  async open(a: AttachmentRow, key: string, part: Part): Promise<Buffer> {
    const sealed = await readAll(await this.storage.read(key));
    return this.encryption.decryptBytes(a.sealed_for!, sealed, purpose(a, part));
  }

  private async sealObject(
    conversationId: string,
    a: AttachmentRow,
    key: string,
    part: Part,
  ): Promise<string> {
    const plain = await readAll(await this.storage.read(key));
    const sealed = await this.encryption.encryptBytes(conversationId, plain, purpose(a, part));
    const path = this.spool.newPath();
    const newKey = newStorageKey();
    try {
      await writeFile(path, sealed);
      await this.storage.put(newKey, path, {
        contentType: 'application/octet-stream',
        size: sealed.length,
      });
    } finally {
      await this.spool.remove(path);
    }
    return newKey;
  }
}
