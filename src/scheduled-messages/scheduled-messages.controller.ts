import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import { ScheduledMessageDto } from './dto/scheduled-message.dto';
import {
  ListScheduledMessagesQuery,
  UpdateScheduledMessageDto,
} from './dto/scheduled-message-inputs.dto';
import { ScheduledMessagesService } from './scheduled-messages.service';

/** The caller's own scheduled messages; they are made by `POST /conversations/:id/messages` with `sendAt`. */
@ApiTags('scheduled-messages')
@ApiBearerAuth()
@Controller('scheduled-messages')
export class ScheduledMessagesController {
  constructor(private readonly scheduled: ScheduledMessagesService) {}

  @Get()
  @ApiPage(ScheduledMessageDto)
  list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListScheduledMessagesQuery,
  ): Promise<Page<ScheduledMessageDto>> {
    return this.scheduled.list(caller, q);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ScheduledMessageDto })
  @ApiErrors('NOT_FOUND', 'NOT_SCHEDULED')
  update(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateScheduledMessageDto,
  ): Promise<ScheduledMessageDto> {
    return this.scheduled.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'canceled' })
  @ApiErrors('NOT_FOUND', 'NOT_SCHEDULED')
  cancel(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.scheduled.cancel(caller, id);
  }
}
