import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { AttachmentSealer } from './attachment-sealer';
import { toAttachmentDto } from './attachment-views';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentDto } from './dto/attachment.dto';
import { AttachmentRow, NewAttachment } from './entities/attachment.row';
import { DownloadConditions, downloadHeaders, FileFacts, planDownload } from './http/file-response';
import { ImageProcessor } from './images/image-processor';
import { AttachmentStorage, newStorageKey } from './storage/attachment-storage';
import { SpooledUpload } from './upload/spooling-storage-engine';
import { UPLOAD_FIELD } from './upload/upload.interceptor';
import { UploadSpool } from './upload/upload-spool';

/** A download as it is answered: status, headers, and the bytes unless there are none. */
export interface FileReply {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  body: Readable | null;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Uploads (checked, stored, thumbnailed) and downloads (authorized, conditional, ranged). */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly storage: AttachmentStorage,
    private readonly images: ImageProcessor,
    private readonly spool: UploadSpool,
    private readonly sealer: AttachmentSealer,
  ) {}

  /** Stores an upload that passed the checks on its way in; the caller owns it. */
  async create(caller: AuthUser, upload: SpooledUpload | undefined): Promise<AttachmentDto> {
    if (!upload) {
      throw AppError.validation({
        [UPLOAD_FIELD]: [`send the file as the multipart/form-data field "${UPLOAD_FIELD}"`],
      });
    }
    const spooled = [upload.path];
    const stored: string[] = [];
    try {
      const attachment =
        upload.type.kind === 'image'
          ? await this.storeImage(caller, upload, spooled, stored)
          : await this.storeFile(caller, upload, stored);
      return toAttachmentDto(await this.attachments.insert(attachment));
    } catch (err) {
      await this.deleteStored(stored);
      throw err;
    } finally {
      await Promise.all(spooled.map((path) => this.spool.remove(path)));
    }
  }

  /** The bytes of an attachment the caller may read. */
  async download(caller: AuthUser, id: string, conditions: DownloadConditions): Promise<FileReply> {
    const a = await this.readable(caller, id);
    return this.reply(a, 'file', conditions, {
      size: Number(a.size),
      etag: `"${a.sha256}"`,
      contentType: a.mime_type,
      filename: a.filename,
      // Players stream and seek voice messages where they are; only documents are saved.
      inline: a.kind !== 'file',
    });
  }

  /** The WebP thumbnail of an image the caller may read; `404` for other files. */
  async thumbnail(
    caller: AuthUser,
    id: string,
    conditions: DownloadConditions,
  ): Promise<FileReply> {
    const a = await this.readable(caller, id);
    if (!a.thumbnail_key || !a.thumbnail_size) throw AppError.notFound();
    return this.reply(a, 'thumbnail', conditions, {
      size: a.thumbnail_size,
      etag: `"${a.sha256}-thumbnail"`,
      contentType: 'image/webp',
      filename: `${a.filename.replace(/\.[^.]*$/, '')}.webp`,
      inline: true,
    });
  }

  private async readable(caller: AuthUser, id: string): Promise<AttachmentRow> {
    const a = await this.attachments.findReadable(id, caller.id);
    if (!a) throw AppError.notFound();
    return a;
  }

  private async reply(
    a: AttachmentRow,
    part: 'file' | 'thumbnail',
    conditions: DownloadConditions,
    facts: FileFacts,
  ): Promise<FileReply> {
    const plan = planDownload(facts, conditions);
    const headers = downloadHeaders(facts, plan);
    if (plan.status === 304) return { status: 304, headers, body: null };
    const key = part === 'file' ? a.storage_key : a.thumbnail_key!;
    const range = plan.status === 206 ? plan.range : undefined;
    if (!a.sealed_for)
      return { status: plan.status, headers, body: await this.storage.read(key, range) };
    // Sealed bytes are authenticated as a whole: open them, then serve the asked range.
    const plain = await this.sealer.open(a, key, part);
    const bytes = range ? plain.subarray(range.start, range.end + 1) : plain;
    return { status: plan.status, headers, body: Readable.from([bytes]) };
  }

  private async storeFile(
    caller: AuthUser,
    upload: SpooledUpload,
    stored: string[],
  ): Promise<NewAttachment> {
    const key = newStorageKey();
    stored.push(key);
    await this.storage.put(key, upload.path, { contentType: upload.type.mime, size: upload.size });
    return {
      uploaderId: caller.id,
      kind: upload.type.kind === 'audio' ? 'audio' : 'file',
      filename: upload.filename,
      mimeType: upload.type.mime,
      size: upload.size,
      width: null,
      height: null,
      durationMs: upload.durationMs ?? null,
      storageKey: key,
      thumbnailKey: null,
      thumbnailSize: null,
      sha256: upload.sha256,
    };
  }

  /** Stores the re-encoded image (no metadata) and its thumbnail, never the bytes as sent. */
  private async storeImage(
    caller: AuthUser,
    upload: SpooledUpload,
    spooled: string[],
    stored: string[],
  ): Promise<NewAttachment> {
    const output = this.spool.newPath();
    const thumbnail = this.spool.newPath();
    spooled.push(output, thumbnail);
    const image = await this.images.process(upload.path, upload.type.mime, output, thumbnail);
    const sha256 = await sha256Of(output);
    const key = newStorageKey();
    const thumbnailKey = newStorageKey();
    stored.push(key, thumbnailKey);
    await this.storage.put(key, output, { contentType: upload.type.mime, size: image.size });
    await this.storage.put(thumbnailKey, thumbnail, {
      contentType: 'image/webp',
      size: image.thumbnailSize,
    });
    return {
      uploaderId: caller.id,
      kind: 'image',
      filename: upload.filename,
      mimeType: upload.type.mime,
      size: image.size,
      width: image.width,
      height: image.height,
      durationMs: null,
      storageKey: key,
      thumbnailKey,
      thumbnailSize: image.thumbnailSize,
      sha256,
    };
  }

  /** Best effort after a failed upload; the bytes of a row never written are nobody's. */
  private async deleteStored(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.storage.delete(key).catch((err: unknown) => {
        this.logger.warn({ err, key }, 'could not remove the bytes of a failed upload');
      });
    }
  }
}
