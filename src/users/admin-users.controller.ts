import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { UuidParam } from '../common/validation/uuid-param';
import { UserDto } from './dto/user.dto';
import { SuspendUserDto } from './dto/user-queries.dto';
import { UsersService } from './users.service';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Post(':id/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('NOT_FOUND')
  verify(@UuidParam('id') id: string): Promise<UserDto> {
    return this.users.verify(id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('NOT_FOUND')
  suspend(@UuidParam('id') id: string, @Body() dto: SuspendUserDto): Promise<UserDto> {
    return this.users.suspend(id, dto.reason);
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('NOT_FOUND')
  unsuspend(@UuidParam('id') id: string): Promise<UserDto> {
    return this.users.unsuspend(id);
  }
}
