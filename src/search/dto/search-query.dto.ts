import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { CharLength, Optional } from '../../common/validation/validators';

export class SearchQuery extends PageQuery {
  @ApiProperty({
    minLength: 2,
    maxLength: 200,
    description:
      'Words to find (after trimming, 2..200 characters). `"quoted words"` is a phrase, ' +
      '`-word` excludes, `or` between words is either.',
  })
  @IsString()
  @CharLength(2, 200)
  q!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'only this conversation (one of yours, else 404)',
  })
  @Optional()
  @IsUUID()
  conversationId?: string;
}
