import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiPage, Page } from '../common/pagination/page';
import { DeviceKeysService } from './device-keys.service';
import { DeviceKeyDto, DeviceKeysQuery, PutDeviceKeyDto } from './dto/device-key.dto';

/** The public-key directory of e2e devices. The server stores and relays; it cannot decrypt. */
@ApiTags('encryption')
@ApiBearerAuth()
@Controller('keys')
export class KeysController {
  constructor(private readonly keys: DeviceKeysService) {}

  @Put('me')
  @ApiOkResponse({ type: DeviceKeyDto })
  putMine(@CurrentUser() caller: AuthUser, @Body() dto: PutDeviceKeyDto): Promise<DeviceKeyDto> {
    return this.keys.put(caller, dto);
  }

  @Get()
  @ApiPage(DeviceKeyDto)
  list(@CurrentUser() caller: AuthUser, @Query() q: DeviceKeysQuery): Promise<Page<DeviceKeyDto>> {
    return this.keys.list(caller, q.userIds);
  }
}
