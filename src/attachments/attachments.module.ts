import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { EncryptionModule } from '../encryption/encryption.module';
import { AttachmentSealer } from './attachment-sealer';
import { AttachmentsCleanup } from './attachments-cleanup.service';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { ImageProcessor } from './images/image-processor';
import { MessageAttachments } from './message-attachments';
import { AttachmentStorage } from './storage/attachment-storage';
import { attachmentStorageProvider } from './storage/storage.provider';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadSpool } from './upload/upload-spool';

/**
 * Files and images shared in conversations: upload (type from the bytes, size limits while
 * streaming, images re-encoded), storage (local disk or S3), authorized download, cleanup.
 * The message log uses it through `MessageAttachments`; it knows nothing of messages' code.
 */
@Module({
  imports: [VisibilityModule, EncryptionModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentsRepository,
    AttachmentsService,
    AttachmentsCleanup,
    MessageAttachments,
    AttachmentSealer,
    ImageProcessor,
    UploadSpool,
    UploadInterceptor,
    attachmentStorageProvider,
  ],
  exports: [MessageAttachments, AttachmentStorage],
})
export class AttachmentsModule {}
