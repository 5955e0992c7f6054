import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { AdminOnly, CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import { FlagDto, FlagsQuery, ResolveFlagDto } from './dto/flag.dto';
import { ModerationReviewService } from './moderation-review.service';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/moderation/flags')
export class AdminModerationController {
  constructor(private readonly review: ModerationReviewService) {}

  @Get()
  @ApiPage(FlagDto)
  list(@Query() q: FlagsQuery): Promise<Page<FlagDto>> {
    return this.review.list(q);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrors('NOT_FOUND')
  resolve(
    @CurrentUser() admin: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: ResolveFlagDto,
  ): Promise<FlagDto> {
    return this.review.resolve(admin, id, dto);
  }
}
