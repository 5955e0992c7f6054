import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page } from '../common/pagination/page';
import { SearchHitDto } from './dto/search-hit.dto';
import { SearchQuery } from './dto/search-query.dto';
import { SearchService } from './search.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get('search')
  @ApiOperation({
    summary: 'Full-text search of your messages',
    description:
      'Across your conversations, or within one. English and Arabic stemming (`simple` for ' +
      'other languages); Arabic matches regardless of diacritics, tatweel, letter variants and ' +
      'the proclitics و ف ب ل ال and their combinations (وبال، فلل), in the query or the message. ' +
      'Never deleted messages, history you deleted or could not see, or encrypted ' +
      'conversations. Ordered by rank (higher is better), then newest.',
  })
  @ApiPage(SearchHitDto)
  @ApiErrors('NOT_FOUND')
  find(@CurrentUser() caller: AuthUser, @Query() q: SearchQuery): Promise<Page<SearchHitDto>> {
    return this.search.search(caller, q);
  }
}
