import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { SystemMessages } from '../messages/system-messages';
import { ContactPolicy } from './contact-policy';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService, MAX_GROUP_MEMBERS } from './conversations.service';
import { ConversationDto, ParticipantDto } from './dto/conversation.dto';
import { ViewerRow } from './entities/conversation.row';
import { Transactions } from '../database/transactions';

/**
 * Group membership: adding (or inviting), removing and leaving, roles, and invitations. Every
 * change locks the conversation row, so concurrent changes cannot overfill a group, and records
 * a system message in the same transaction.
 */
@Injectable()
export class ParticipantsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly conversationsService: ConversationsService,
    private readonly policy: ContactPolicy,
    private readonly systemMessages: SystemMessages,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

  /** Everyone who sees the conversation in their list: members and pending invitations. */
  async participantIds(conversationId: string): Promise<string[]> {
    return (await this.conversations.participants([conversationId])).map((p) => p.user_id);
  }

  async add(
    caller: AuthUser,
    conversationId: string,
    userIds: string[],
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    await this.asGroupAdmin(caller, conversationId);
    const wanted = [...new Set(userIds)].filter((id) => id !== caller.id);
    const present = new Set(
      (await this.conversations.participants([conversationId])).map((p) => p.user_id),
    );
    const candidates = wanted.filter((id) => !present.has(id));
    if (present.size + candidates.length > MAX_GROUP_MEMBERS)
      throw new AppError('GROUP_FULL', { max: MAX_GROUP_MEMBERS });
    if (candidates.length === 0) return this.conversationsService.view(conversationId, caller.id);
    const reachable = await this.policy.reach(caller, candidates);

    await this.transactions.run(async () => {
      const locked = await this.conversations.lock(conversationId);
      if (!locked) throw AppError.notFound();
      const now = await this.conversations.participants([conversationId]);
      const fresh = reachable.filter((r) => !now.some((p) => p.user_id === r.userId));
      if (now.length + fresh.length > MAX_GROUP_MEMBERS)
        throw new AppError('GROUP_FULL', { max: MAX_GROUP_MEMBERS });
      if (fresh.length === 0) return;
      // New members see history from the system message that announces them.
      await this.conversations.addParticipants(
        conversationId,
        fresh.map((r) => ({
          userId: r.userId,
          role: 'member',
          status: r.autoAccept ? 'active' : 'invited',
          visibleAfterSeq: locked.last_seq,
        })),
      );
      await this.conversations.touch(conversationId);
      await this.events.publish('conversation.created', {
        conversationId,
        userIds: fresh.map((r) => r.userId),
        origin,
      });
      await this.events.publish('conversation.updated', { conversationId, origin });
      for (const r of fresh) {
        await this.events.publish('conversation.member_added', {
          conversationId,
          userId: r.userId,
          addedBy: caller.id,
          status: r.autoAccept ? 'active' : 'invited',
        });
      }
      for (const r of fresh.filter((x) => !x.autoAccept)) {
        await this.events.publish('conversation.invited', {
          conversationId,
          userId: r.userId,
          invitedBy: caller.id,
        });
      }
      await this.systemMessages.append(
        conversationId,
        { kind: 'members_added', actorId: caller.id, userIds: fresh.map((r) => r.userId) },
        origin,
      );
    });
    return this.conversationsService.view(conversationId, caller.id);
  }

  /** An admin removes anyone; anyone removes themself (leave). The last admin hands over. */
  async remove(
    caller: AuthUser,
    conversationId: string,
    userId: string,
    origin?: EventOrigin,
  ): Promise<void> {
    const me = await this.participantOrNotFound(caller, conversationId);
    if (me.type !== 'group')
      throw new AppError('FORBIDDEN', { reason: 'direct conversations have fixed members' });
    const leaving = userId === caller.id;
    if (!leaving && !(me.viewer.role === 'admin' && me.viewer.status === 'active'))
      throw new AppError('NOT_GROUP_ADMIN');

    await this.transactions.run(async () => {
      await this.conversations.lock(conversationId);
      const target = (await this.conversations.participants([conversationId])).find(
        (p) => p.user_id === userId,
      );
      if (!target) throw AppError.notFound();
      await this.conversations.removeParticipant(conversationId, userId);
      await this.conversations.ensureAdmin(conversationId);
      await this.conversations.touch(conversationId);
      await this.events.publish('conversation.removed', { conversationId, userId, origin });
      await this.events.publish('conversation.member_removed', {
        conversationId,
        userId,
        removedBy: caller.id,
        reason: leaving ? 'left' : 'removed',
      });
      await this.events.publish('conversation.updated', { conversationId, origin });
      await this.systemMessages.append(
        conversationId,
        { kind: leaving ? 'member_left' : 'member_removed', actorId: caller.id, userIds: [userId] },
        origin,
      );
    });
  }

  async setRole(
    caller: AuthUser,
    conversationId: string,
    userId: string,
    role: 'admin' | 'member',
    origin?: EventOrigin,
  ): Promise<ParticipantDto> {
    await this.asGroupAdmin(caller, conversationId);
    await this.transactions.run(async () => {
      await this.conversations.lock(conversationId);
      const members = await this.conversations.participants([conversationId]);
      const target = members.find((p) => p.user_id === userId);
      if (!target || target.status !== 'active') throw AppError.notFound();
      const admins = members.filter((p) => p.status === 'active' && p.role === 'admin');
      if (role === 'member' && target.role === 'admin' && admins.length === 1) {
        throw new AppError('INVALID_PARTICIPANT', {
          role: ['a group needs an admin: promote someone else first'],
        });
      }
      await this.conversations.setRole(conversationId, userId, role);
      await this.conversations.touch(conversationId);
      await this.events.publish('conversation.updated', { conversationId, origin });
    });
    const view = await this.conversationsService.view(conversationId, caller.id);
    return view.participants.find((p) => p.userId === userId)!;
  }

  async accept(
    caller: AuthUser,
    conversationId: string,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    const me = await this.participantOrNotFound(caller, conversationId);
    if (me.viewer.status === 'active')
      return this.conversationsService.view(conversationId, caller.id);
    await this.transactions.run(async () => {
      const locked = await this.conversations.lock(conversationId);
      if (!locked) throw AppError.notFound();
      // The system message recording the acceptance is the first message they see.
      await this.conversations.accept(conversationId, caller.id, locked.last_seq);
      await this.conversations.touch(conversationId);
      await this.events.publish('conversation.updated', { conversationId, origin });
      await this.systemMessages.append(
        conversationId,
        { kind: 'invitation_accepted', actorId: caller.id },
        origin,
      );
    });
    return this.conversationsService.view(conversationId, caller.id);
  }

  async decline(caller: AuthUser, conversationId: string, origin?: EventOrigin): Promise<void> {
    const me = await this.participantOrNotFound(caller, conversationId);
    if (me.viewer.status !== 'invited')
      throw AppError.notFound({ invitation: ['no pending invitation'] });
    await this.transactions.run(async () => {
      await this.conversations.lock(conversationId);
      await this.conversations.removeParticipant(conversationId, caller.id);
      await this.conversations.touch(conversationId);
      await this.events.publish('conversation.removed', {
        conversationId,
        userId: caller.id,
        origin,
      });
      await this.events.publish('conversation.member_removed', {
        conversationId,
        userId: caller.id,
        removedBy: caller.id,
        reason: 'declined',
      });
      await this.events.publish('conversation.updated', { conversationId, origin });
    });
  }

  private async participantOrNotFound(
    caller: AuthUser,
    conversationId: string,
  ): Promise<ViewerRow> {
    const me = await this.conversations.forViewer(conversationId, caller.id);
    if (!me) throw AppError.notFound();
    return me;
  }

  private async asGroupAdmin(caller: AuthUser, conversationId: string): Promise<ViewerRow> {
    const me = await this.participantOrNotFound(caller, conversationId);
    if (me.type !== 'group' || me.viewer.role !== 'admin' || me.viewer.status !== 'active') {
      throw new AppError('NOT_GROUP_ADMIN');
    }
    return me;
  }
}
