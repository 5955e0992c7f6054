import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { Optional } from '../../common/validation/validators';
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
  @Optional()
  @IsIn(ALLOW)
  allowMessagesFrom?: AllowMessagesFrom;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  emailNotifications?: boolean;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  pushNotifications?: boolean;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  soundNotifications?: boolean;

  @ApiPropertyOptional()
  @Optional()
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
