import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page, PageQuery } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import { MessageDto } from './dto/message.dto';
import {
  ChangesQuery,
  EditMessageDto,
  MessagesQuery,
  ReportMessageDto,
  SendMessageDto,
} from './dto/message-inputs.dto';
import { ScheduledMessageDto } from '../scheduled-messages/dto/scheduled-message.dto';
import { MessageScheduler } from '../scheduled-messages/message-scheduler';
import { MessageQueriesService } from './message-queries.service';
import { DeleteMessage } from './delete-message';
import { EditMessage } from './edit-message';
import { ReportMessage } from './report-message';
import { SendMessage } from './send-message';
import { ReactionsService } from './reactions.service';
import { ReceiptDto, ReceiptsService } from './receipts.service';

@ApiTags('messages')
@ApiBearerAuth()
@ApiErrors('NOT_FOUND')
@Controller('conversations/:id')
export class MessagesController {
  constructor(
    private readonly sending: SendMessage,
    private readonly editing: EditMessage,
    private readonly deleting: DeleteMessage,
    private readonly reporting: ReportMessage,
    private readonly queries: MessageQueriesService,
    private readonly reactions: ReactionsService,
    private readonly receipts: ReceiptsService,
    private readonly scheduler: MessageScheduler,
  ) {}

  @Post('messages')
  @ApiCreatedResponse({ type: MessageDto, description: 'sent' })
  @ApiOkResponse({
    type: MessageDto,
    description: 'the same clientMessageId was sent before: the first message',
  })
  @ApiAcceptedResponse({
    type: ScheduledMessageDto,
    description:
      'with `sendAt`: scheduled, nothing sent yet (the same clientMessageId again: the first one)',
  })
  @ApiErrors(
    'USER_NOT_VERIFIED',
    'BLOCKED',
    'FILE_SHARING_DISABLED',
    'INVALID_REPLY',
    'INVALID_ATTACHMENT',
    'CONTENT_BLOCKED',
    'RATE_LIMITED',
    'TOO_MANY_SCHEDULED',
  )
  async send(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageDto | ScheduledMessageDto> {
    if (dto.sendAt !== undefined) {
      res.status(202);
      return this.scheduler.schedule(caller, id, dto);
    }
    const { message, created } = await this.sending.send(caller, id, dto);
    res.status(created ? 201 : 200);
    return message;
  }

  @Get('messages')
  @ApiPage(MessageDto)
  list(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Query() q: MessagesQuery,
  ): Promise<Page<MessageDto>> {
    return this.queries.list(caller, id, q);
  }

  @Get('changes')
  @ApiPage(MessageDto)
  changes(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Query() q: ChangesQuery,
  ): Promise<Page<MessageDto>> {
    return this.queries.changes(caller, id, q);
  }

  @Get('messages/:messageId')
  @ApiOkResponse({ type: MessageDto })
  get(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
  ): Promise<MessageDto> {
    return this.queries.get(caller, id, messageId);
  }

  @Get('messages/:messageId/replies')
  @ApiPage(MessageDto)
  replies(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
    @Query() q: PageQuery,
  ): Promise<Page<MessageDto>> {
    return this.queries.replies(caller, id, messageId, q);
  }

  @Patch('messages/:messageId')
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors('NOT_MESSAGE_SENDER', 'BLOCKED', 'CONTENT_BLOCKED')
  edit(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
    @Body() dto: EditMessageDto,
  ): Promise<MessageDto> {
    return this.editing.edit(caller, id, messageId, dto);
  }

  @Delete('messages/:messageId')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors('NOT_MESSAGE_SENDER')
  delete(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
  ): Promise<void> {
    return this.deleting.delete(caller, id, messageId);
  }

  @Put('messages/:messageId/reactions/:emoji')
  @ApiParam({ name: 'emoji', description: 'one emoji grapheme, URL-encoded' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors('BLOCKED')
  react(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
    @Param('emoji') emoji: string,
  ): Promise<MessageDto> {
    return this.reactions.react(caller, id, messageId, emoji);
  }

  @Delete('messages/:messageId/reactions/:emoji')
  @ApiParam({ name: 'emoji', description: 'one emoji grapheme, URL-encoded' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors('BLOCKED')
  unreact(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
    @Param('emoji') emoji: string,
  ): Promise<MessageDto> {
    return this.reactions.unreact(caller, id, messageId, emoji);
  }

  @Get('messages/:messageId/receipts')
  @ApiPage(ReceiptDto)
  receiptsOf(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
  ): Promise<Page<ReceiptDto>> {
    return this.receipts.forMessage(caller, id, messageId);
  }

  @Post('messages/:messageId/report')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'a moderation flag was opened' })
  report(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('messageId') messageId: string,
    @Body() dto: ReportMessageDto,
  ): Promise<void> {
    return this.reporting.report(caller, id, messageId, dto.reason);
  }
}
