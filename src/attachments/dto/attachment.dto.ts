import { ApiProperty } from '@nestjs/swagger';

export class AttachmentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['image', 'file', 'audio'], description: '`audio`: a voice message' })
  kind!: 'image' | 'file' | 'audio';

  @ApiProperty({ description: 'the base name the client gave, without any path' })
  filename!: string;

  @ApiProperty({ example: 'image/png' })
  mimeType!: string;

  @ApiProperty({ description: 'bytes as stored (images are re-encoded without metadata)' })
  size!: number;

  @ApiProperty({ required: false, description: 'images only' })
  width?: number;

  @ApiProperty({ required: false, description: 'images only' })
  height?: number;

  @ApiProperty({
    required: false,
    description: 'audio only: the recording’s length in milliseconds',
  })
  durationMs?: number;

  @ApiProperty({ example: '/api/v1/attachments/…' })
  url!: string;

  @ApiProperty({
    required: false,
    example: '/api/v1/attachments/…/thumbnail',
    description: 'images only',
  })
  thumbnailUrl?: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
