import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page, PageQuery } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import { MessageSettingsDto, UpdateMessageSettingsDto } from './dto/message-settings.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { PublicUserDto, UserDto } from './dto/user.dto';
import { UserLookupQuery } from './dto/user-queries.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() caller: AuthUser): Promise<UserDto> {
    return this.users.getMe(caller);
  }

  @Patch('me')
  @ApiOkResponse({ type: UserDto })
  updateMe(@CurrentUser() caller: AuthUser, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.updateMe(caller, dto);
  }

  @Get('me/message-settings')
  @ApiOkResponse({ type: MessageSettingsDto })
  settings(@CurrentUser() caller: AuthUser): Promise<MessageSettingsDto> {
    return this.users.getSettings(caller);
  }

  @Patch('me/message-settings')
  @ApiOkResponse({ type: MessageSettingsDto })
  updateSettings(
    @CurrentUser() caller: AuthUser,
    @Body() dto: UpdateMessageSettingsDto,
  ): Promise<MessageSettingsDto> {
    return this.users.updateSettings(caller, dto);
  }

  @Get('me/blocks')
  @ApiPage(PublicUserDto)
  blocks(@CurrentUser() caller: AuthUser, @Query() q: PageQuery): Promise<Page<PublicUserDto>> {
    return this.users.listBlocks(caller, q);
  }

  @Get()
  @ApiPage(PublicUserDto)
  lookup(
    @CurrentUser() caller: AuthUser,
    @Query() q: UserLookupQuery,
  ): Promise<Page<PublicUserDto>> {
    return this.users.lookup(caller, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: PublicUserDto })
  @ApiErrors('NOT_FOUND')
  get(@UuidParam('id') id: string): Promise<PublicUserDto> {
    return this.users.getPublic(id);
  }

  @Post(':id/block')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors('NOT_FOUND')
  block(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.users.block(caller, id);
  }

  @Delete(':id/block')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors('NOT_FOUND')
  unblock(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.users.unblock(caller, id);
  }
}
