import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import { Optional, CharLength } from '../../common/validation/validators';

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 80 })
  @Optional()
  @IsString()
  @CharLength(1, 80)
  displayName?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2048,
    description: 'http(s) URL, or null to clear',
  })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2048)
  avatarUrl?: string | null;

  @ApiPropertyOptional({ enum: ['en', 'ar'] })
  @Optional()
  @IsIn(['en', 'ar'])
  locale?: 'en' | 'ar';
}
