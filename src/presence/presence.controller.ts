import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiPage, Page, PageQuery } from '../common/pagination/page';
import { CommaSeparatedUuids } from '../common/validation/validators';
import { ContactDto, PresenceDto, PresenceQueriesService } from './presence-queries.service';

export class PresenceQuery {
  @ApiProperty({ description: 'comma-separated user ids (at most 100)', example: 'id1,id2' })
  @CommaSeparatedUuids(100)
  userIds!: string[];
}

@ApiTags('presence')
@ApiBearerAuth()
@Controller()
export class PresenceController {
  constructor(private readonly presence: PresenceQueriesService) {}

  @Get('contacts')
  @ApiPage(ContactDto)
  contacts(@CurrentUser() caller: AuthUser, @Query() q: PageQuery): Promise<Page<ContactDto>> {
    return this.presence.contacts(caller, q);
  }

  @Get('presence')
  @ApiPage(PresenceDto)
  statuses(@CurrentUser() caller: AuthUser, @Query() q: PresenceQuery): Promise<Page<PresenceDto>> {
    return this.presence.statuses(caller, q.userIds);
  }
}
