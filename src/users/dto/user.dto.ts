import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from '../entities/user.entity';

export class PublicUserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty({ type: String, nullable: true })
  avatarUrl!: string | null;

  @ApiProperty({ enum: ['en', 'ar'] })
  locale!: 'en' | 'ar';

  @ApiProperty({ enum: ['unverified', 'verified'] })
  verificationStatus!: 'unverified' | 'verified';
}

export class UserDto extends PublicUserDto {
  @ApiProperty()
  email!: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  role!: 'user' | 'admin';

  @ApiProperty()
  suspended!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export function toPublicUser(user: UserEntity): PublicUserDto {
  return {
    id: user.id,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    locale: user.locale,
    verificationStatus: user.verificationStatus,
  };
}

export function toUser(user: UserEntity): UserDto {
  return {
    ...toPublicUser(user),
    email: user.email,
    role: user.role,
    suspended: user.suspendedAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
