import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { MessagesModule } from '../messages/messages.module';
import { HitWords } from './hit-words';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';

/** Private full-text search of messages; the database keeps the index (search migration). */
@Module({
  imports: [VisibilityModule, MessagesModule],
  controllers: [SearchController],
  providers: [SearchRepository, SearchService, HitWords],
})
export class SearchModule {}
