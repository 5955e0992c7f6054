import { ApiProperty } from '@nestjs/swagger';
import { MessageDto } from '../../messages/dto/message.dto';

export class SearchHitDto {
  @ApiProperty({ type: MessageDto })
  message!: MessageDto;

  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "the group's title, or the other participant's displayName in a direct conversation",
  })
  conversationTitle!: string | null;

  @ApiProperty({
    example: 'we meet at the <mark>library</mark> at 5 &amp; then …',
    description:
      'the message text around the hits, HTML-escaped, each hit in `<mark>…</mark>`; ' +
      '`…` where the text was cut',
  })
  snippet!: string;

  @ApiProperty({ description: 'relevance, higher is better', example: 0.1 })
  rank!: number;
}
