import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import type {
  AllowMessagesFrom,
  UserMessageSettingsEntity,
} from '../entities/user-message-settings.entity';

const ALLOW = ['anyone', 'verified_only', 'connections_only'] as const;

export class MessageSettingsDto {
  @ApiProperty({ enum: ALLOW })
  allowMessagesFrom!: AllowMessagesFrom;

  @ApiProperty()
  emailNotifications!: boolean;

  @ApiProperty()
  pushNotifications!: boolean;

  @ApiProperty()
  soundNotifications!: boolean;

  @ApiProperty()
  autoAcceptGroupInvites!: boolean;
}

export class UpdateMessageSettingsDto {
  @ApiPropertyOptional({ enum: ALLOW })
  @IsOptional()
  @IsIn(ALLOW)
  allowMessagesFrom?: AllowMessagesFrom;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  emailNotifications?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  pushNotifications?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  soundNotifications?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  autoAcceptGroupInvites?: boolean;
}

export function toMessageSettings(row: UserMessageSettingsEntity): MessageSettingsDto {
  return {
    allowMessagesFrom: row.allowMessagesFrom,
    emailNotifications: row.emailNotifications,
    pushNotifications: row.pushNotifications,
    soundNotifications: row.soundNotifications,
    autoAcceptGroupInvites: row.autoAcceptGroupInvites,
  };
}
