import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type AllowMessagesFrom = 'anyone' | 'verified_only' | 'connections_only';

@Entity('user_message_settings')
export class UserMessageSettingsEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text', { name: 'allow_messages_from' })
  allowMessagesFrom!: AllowMessagesFrom;

  @Column('boolean', { name: 'email_notifications' })
  emailNotifications!: boolean;

  @Column('boolean', { name: 'push_notifications' })
  pushNotifications!: boolean;

  @Column('boolean', { name: 'sound_notifications' })
  soundNotifications!: boolean;

  @Column('boolean', { name: 'auto_accept_group_invites' })
  autoAcceptGroupInvites!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
