import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { OnApplicationShutdown } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors/app-error';
import type { S3Settings } from '../../config/app-config';
import { AttachmentStorage, ByteRange } from './attachment-storage';

const PREFIX = 'attachments/';

/** Attachments as objects of an S3 bucket (AWS, or any S3-compatible server at `S3_ENDPOINT`). */
export class S3Storage extends AttachmentStorage implements OnApplicationShutdown {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    super();
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint ?? undefined,
      // S3-compatible servers are addressed by path; AWS itself by virtual host.
      forcePathStyle: settings.endpoint !== null,
      credentials: settings.credentials ?? undefined,
      // Checksums only where S3 requires them: many S3-compatible servers refuse the others.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(
    key: string,
    source: string,
    meta: { contentType: string; size: number },
  ): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: PREFIX + key,
        Body: createReadStream(source),
        ContentLength: meta.size,
        ContentType: meta.contentType,
      }),
    );
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: PREFIX + key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return object.Body as Readable;
    } catch (err) {
      if (err instanceof NoSuchKey) throw AppError.notFound();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: PREFIX + key }),
    );
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
