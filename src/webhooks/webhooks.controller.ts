import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page, PageQuery } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveriesQuery,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookSecretDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/** Outgoing webhooks in the Standard Webhooks format (API.md, Webhooks). */
@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  create(@Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.create(dto);
  }

  @Get()
  @ApiPage(WebhookDto)
  list(@Query() q: PageQuery): Promise<Page<WebhookDto>> {
    return this.webhooks.list(q);
  }

  @Patch(':id')
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrors('NOT_FOUND')
  update(@UuidParam('id') id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookDto> {
    return this.webhooks.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors('NOT_FOUND')
  remove(@UuidParam('id') id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiErrors('NOT_FOUND')
  rotateSecret(@UuidParam('id') id: string): Promise<WebhookSecretDto> {
    return this.webhooks.rotateSecret(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'a `webhook.test` event is on its way' })
  @ApiErrors('NOT_FOUND')
  test(@UuidParam('id') id: string): Promise<void> {
    return this.webhooks.test(id);
  }

  @Get(':id/deliveries')
  @ApiPage(WebhookDeliveryDto)
  @ApiErrors('NOT_FOUND')
  deliveries(
    @UuidParam('id') id: string,
    @Query() q: DeliveriesQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveryLog(id, q);
  }
}
