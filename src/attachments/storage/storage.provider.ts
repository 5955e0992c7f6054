import { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AttachmentStorage } from './attachment-storage';
import { LocalDiskStorage } from './local-disk.storage';
import { S3Storage } from './s3.storage';

/** The bucket when `S3_BUCKET` is set, else local disk under `UPLOAD_DIR`. */
export const attachmentStorageProvider: Provider = {
  provide: AttachmentStorage,
  inject: [AppConfig],
  useFactory: (config: AppConfig): AttachmentStorage => {
    const { s3, uploadDir } = config.attachments;
    return s3 ? new S3Storage(s3) : new LocalDiskStorage(uploadDir);
  },
};
