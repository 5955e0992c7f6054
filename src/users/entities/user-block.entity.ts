import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('user_blocks')
export class UserBlockEntity {
  @PrimaryColumn('uuid', { name: 'blocker_id' })
  blockerId!: string;

  @PrimaryColumn('uuid', { name: 'blocked_id' })
  blockedId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
