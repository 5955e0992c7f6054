import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { UserDirectory } from '../users/user-directory';
import { ConversationsRepository } from './conversations.repository';

export interface Reachable {
  userId: string;
  /** the user joins groups at once rather than as `invited` */
  autoAccept: boolean;
}

/**
 * API.md "Who may talk to whom": only verified users start conversations or are added; a block
 * either way refuses it; `allowMessagesFrom` is asked when someone new reaches out.
 */
@Injectable()
export class ContactPolicy {
  constructor(
    private readonly users: UserDirectory,
    private readonly conversations: ConversationsRepository,
  ) {}

  assertCanStart(caller: AuthUser): void {
    if (!caller.verified) throw new AppError('USER_NOT_VERIFIED');
  }

  async assertNotBlocked(a: string, b: string): Promise<void> {
    if (await this.users.isBlockedEitherWay(a, b)) throw new AppError('BLOCKED', { userId: b });
  }

  /** Checks each user the caller wants to start a conversation with or add to a group. */
  async reach(caller: AuthUser, userIds: string[]): Promise<Reachable[]> {
    const users = new Map((await this.users.inOrder(userIds)).map((u) => [u.id, u]));
    const result: Reachable[] = [];
    for (const userId of userIds) {
      const user = users.get(userId);
      if (!user || user.verificationStatus !== 'verified' || user.suspendedAt) {
        throw new AppError('INVALID_PARTICIPANT', { userId });
      }
      await this.assertNotBlocked(caller.id, userId);
      const settings = await this.users.settings(userId);
      const allow = settings?.allowMessagesFrom ?? 'verified_only';
      const allowed =
        allow === 'anyone' ||
        (allow === 'verified_only' && caller.verified) ||
        (allow === 'connections_only' &&
          (await this.conversations.shareConversation(caller.id, userId)));
      if (!allowed) throw new AppError('MESSAGES_NOT_ALLOWED', { userId });
      result.push({ userId, autoAccept: settings?.autoAcceptGroupInvites ?? false });
    }
    return result;
  }
}
