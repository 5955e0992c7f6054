import { AttachmentDto } from './dto/attachment.dto';
import { AttachmentRow } from './entities/attachment.row';

const URL_PREFIX = '/api/v1/attachments';

/** Pure mapping of a row into the API's Attachment. */
export function toAttachmentDto(row: AttachmentRow): AttachmentDto {
  const url = `${URL_PREFIX}/${row.id}`;
  const dto: AttachmentDto = {
    id: row.id,
    kind: row.kind,
    filename: row.filename,
    mimeType: row.mime_type,
    size: Number(row.size),
    url,
    createdAt: row.created_at.toISOString(),
  };
  if (row.kind === 'image') {
    dto.width = row.width ?? undefined;
    dto.height = row.height ?? undefined;
    dto.thumbnailUrl = `${url}/thumbnail`;
  }
  if (row.kind === 'audio' && row.duration_ms !== null) dto.durationMs = row.duration_ms;
  return dto;
}
