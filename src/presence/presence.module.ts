import { Module } from '@nestjs/common';
import { ContactsRepository } from './contacts.repository';
import { PresenceQueriesService } from './presence-queries.service';
import { PresenceController } from './presence.controller';
import { PresenceService } from './presence.service';

@Module({
  controllers: [PresenceController],
  providers: [ContactsRepository, PresenceService, PresenceQueriesService],
  exports: [PresenceService],
})
export class PresenceModule {}
