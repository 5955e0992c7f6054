import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { MessageDto } from '../messages/dto/message.dto';
import { DirectMessagesService } from './direct-messages.service';
import { DirectMessageDto } from './dto/conversation-inputs.dto';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class DirectMessagesController {
  constructor(private readonly direct: DirectMessagesService) {}

  @Post()
  @ApiCreatedResponse({
    type: MessageDto,
    description: 'sent in the direct conversation with the recipient',
  })
  @ApiOkResponse({
    type: MessageDto,
    description: 'the same clientMessageId was sent before: the first message',
  })
  @ApiErrors(
    'USER_NOT_VERIFIED',
    'INVALID_PARTICIPANT',
    'MESSAGES_NOT_ALLOWED',
    'BLOCKED',
    'FILE_SHARING_DISABLED',
    'INVALID_ATTACHMENT',
    'CONTENT_BLOCKED',
    'RATE_LIMITED',
  )
  async send(
    @CurrentUser() caller: AuthUser,
    @Body() dto: DirectMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageDto> {
    const { message, created } = await this.direct.send(caller, dto);
    res.status(created ? 201 : 200);
    return message;
  }
}
