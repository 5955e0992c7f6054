import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { Optional, CharLength } from '../../common/validation/validators';
import { UserDto } from '../../users/dto/user.dto';

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 80 })
  @IsString()
  @CharLength(1, 80)
  displayName!: string;

  @ApiPropertyOptional({ enum: ['en', 'ar'], default: 'en' })
  @Optional()
  @IsIn(['en', 'ar'])
  locale?: 'en' | 'ar';
}

export class LoginDto {
  @ApiProperty({ format: 'email' })
  @IsString()
  @Length(1, 254)
  email!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(1, 256)
  refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT; send as `Authorization: Bearer …`' })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque; spent by `/auth/refresh`, valid 30 days' })
  refreshToken!: string;
}

export class AuthResultDto extends TokenPairDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;
}
