import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import { ReadDto } from '../messages/dto/message-inputs.dto';
import { LastReadDto, ReceiptsService } from '../messages/receipts.service';
import { ConversationsService } from './conversations.service';
import { ConversationDto, ParticipantDto } from './dto/conversation.dto';
import {
  AddParticipantsDto,
  CreateConversationDto,
  ListConversationsQuery,
  MuteDto,
  SetRoleDto,
  UpdateConversationDto,
} from './dto/conversation-inputs.dto';
import { ParticipantsService } from './participants.service';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly participants: ParticipantsService,
    private readonly receipts: ReceiptsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ConversationDto, description: 'created' })
  @ApiOkResponse({
    type: ConversationDto,
    description: 'the existing direct conversation of the pair and contextId',
  })
  @ApiErrors(
    'USER_NOT_VERIFIED',
    'INVALID_PARTICIPANT',
    'MESSAGES_NOT_ALLOWED',
    'BLOCKED',
    'GROUP_FULL',
  )
  async create(
    @CurrentUser() caller: AuthUser,
    @Body() dto: CreateConversationDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConversationDto> {
    const { conversation, created } = await this.conversations.create(caller, dto);
    res.status(created ? 201 : 200);
    return conversation;
  }

  @Get()
  @ApiPage(ConversationDto)
  list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListConversationsQuery,
  ): Promise<Page<ConversationDto>> {
    return this.conversations.list(caller, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  get(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<ConversationDto> {
    return this.conversations.get(caller, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND', 'NOT_GROUP_ADMIN')
  update(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateConversationDto,
  ): Promise<ConversationDto> {
    return this.conversations.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted for the caller only' })
  @ApiErrors('NOT_FOUND')
  deleteForMe(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.conversations.deleteForMe(caller, id);
  }

  @Post(':id/participants')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors(
    'NOT_FOUND',
    'NOT_GROUP_ADMIN',
    'GROUP_FULL',
    'INVALID_PARTICIPANT',
    'MESSAGES_NOT_ALLOWED',
    'BLOCKED',
  )
  addParticipants(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: AddParticipantsDto,
  ): Promise<ConversationDto> {
    return this.participants.add(caller, id, dto.userIds);
  }

  @Delete(':id/participants/:userId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'removed, or left when userId is the caller' })
  @ApiErrors('NOT_FOUND', 'NOT_GROUP_ADMIN', 'FORBIDDEN')
  removeParticipant(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
  ): Promise<void> {
    return this.participants.remove(caller, id, userId);
  }

  @Patch(':id/participants/:userId')
  @ApiOkResponse({ type: ParticipantDto })
  @ApiErrors('NOT_FOUND', 'NOT_GROUP_ADMIN', 'INVALID_PARTICIPANT')
  setRole(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
    @Body() dto: SetRoleDto,
  ): Promise<ParticipantDto> {
    return this.participants.setRole(caller, id, userId, dto.role);
  }

  @Post(':id/invitation/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  accept(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<ConversationDto> {
    return this.participants.accept(caller, id);
  }

  @Post(':id/invitation/decline')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors('NOT_FOUND')
  decline(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.participants.decline(caller, id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  archive(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<ConversationDto> {
    return this.conversations.archive(caller, id);
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  unarchive(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
  ): Promise<ConversationDto> {
    return this.conversations.unarchive(caller, id);
  }

  @Post(':id/mute')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  mute(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: MuteDto,
  ): Promise<ConversationDto> {
    return this.conversations.mute(caller, id, dto);
  }

  @Post(':id/unmute')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiErrors('NOT_FOUND')
  unmute(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<ConversationDto> {
    return this.conversations.unmute(caller, id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: LastReadDto })
  @ApiErrors('NOT_FOUND')
  read(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: ReadDto,
  ): Promise<LastReadDto> {
    return this.receipts.read(caller, id, dto.upToSeq);
  }
}
