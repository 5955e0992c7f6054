import {
  applyDecorators,
  Controller,
  Get,
  Post,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { UuidParam } from '../common/validation/uuid-param';
import { AttachmentsService } from './attachments.service';
import { AttachmentDto } from './dto/attachment.dto';
import { conditionsOf, sendFile } from './http/send-file';
import type { SpooledUpload } from './upload/spooling-storage-engine';
import { UPLOAD_FIELD, UploadInterceptor } from './upload/upload.interceptor';

const BYTES = { schema: { type: 'string', format: 'binary' } };

/** Both download routes answer alike. */
const DownloadDocs = (what: string): MethodDecorator =>
  applyDecorators(
    ApiHeader({ name: 'Range', required: false, description: 'one byte range: `bytes=0-1023`' }),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'the ETag you have' }),
    ApiHeader({ name: 'If-Range', required: false, description: 'the ETag the range is of' }),
    ApiOkResponse({ description: what, content: { '*/*': BYTES } }),
    ApiResponse({ status: 206, description: `part of ${what} (Range)`, content: { '*/*': BYTES } }),
    ApiResponse({ status: 304, description: 'not modified (If-None-Match)' }),
  );

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [UPLOAD_FIELD],
      properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: AttachmentDto, description: 'owned by the uploader until sent' })
  @ApiErrors('FILE_TOO_LARGE', 'UNSUPPORTED_FILE_TYPE')
  upload(
    @CurrentUser() caller: AuthUser,
    @UploadedFile() file: SpooledUpload | undefined,
  ): Promise<AttachmentDto> {
    return this.attachments.create(caller, file);
  }

  @Get(':id')
  @DownloadDocs('the bytes')
  @ApiErrors('NOT_FOUND')
  async download(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    sendFile(req, res, await this.attachments.download(caller, id, conditionsOf(req)));
  }

  @Get(':id/thumbnail')
  @DownloadDocs('a WebP thumbnail, at most 320 px')
  @ApiErrors('NOT_FOUND')
  async thumbnail(
    @CurrentUser() caller: AuthUser,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    sendFile(req, res, await this.attachments.thumbnail(caller, id, conditionsOf(req)));
  }
}
