import { Module } from '@nestjs/common';
import { ConversationKeysRepository } from './conversation-keys.repository';
import { DeviceKeysRepository } from './device-keys.repository';
import { DeviceKeysService } from './device-keys.service';
import { EncryptionService } from './encryption.service';
import { KeysController } from './keys.controller';

/** At-rest encryption of conversations, and the public-key directory for e2e devices. */
@Module({
  controllers: [KeysController],
  providers: [
    ConversationKeysRepository,
    EncryptionService,
    DeviceKeysRepository,
    DeviceKeysService,
  ],
  exports: [EncryptionService],
})
export class EncryptionModule {}
