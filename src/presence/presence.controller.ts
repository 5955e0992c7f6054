import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiPage, Page, PageQuery } from '../common/pagination/page';
import { ContactDto, PresenceDto, PresenceQueriesService } from './presence-queries.service';

export class PresenceQuery {
  @ApiProperty({ description: 'comma-separated user ids (at most 100)', example: 'id1,id2' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
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
