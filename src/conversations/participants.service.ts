import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { MessagesService } from '../messages/messages.service';
import { ContactPolicy } from './contact-policy';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService, MAX_GROUP_MEMBERS } from './conversations.service';
import { ConversationDto, ParticipantDto } from './dto/conversation.dto';
import { ViewerRow } from './entities/conversation.row';

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
    private readonly messages: MessagesService,
    private readonly events: DomainEventBus,
  ) {}

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

    const system = await this.conversations.db.transaction(async (tx) => {
      const locked = await this.conversations.lock(tx, conversationId);
      if (!locked) throw AppError.notFound();
      const now = await this.conversations.participants([conversationId], tx);
      const fresh = reachable.filter((r) => !now.some((p) => p.user_id === r.userId));
      if (now.length + fresh.length > MAX_GROUP_MEMBERS)
        throw new AppError('GROUP_FULL', { max: MAX_GROUP_MEMBERS });
      if (fresh.length === 0) return null;
      // New members see history from the system message that announces them.
      await this.conversations.addParticipants(
        tx,
        conversationId,
        fresh.map((r) => ({
          userId: r.userId,
          role: 'member',
          status: r.autoAccept ? 'active' : 'invited',
          visibleAfterSeq: locked.last_seq,
        })),
      );
      await this.conversations.touch(tx, conversationId);
      const message = await this.messages.appendSystem(tx, conversationId, {
        kind: 'members_added',
        actorId: caller.id,
        userIds: fresh.map((r) => r.userId),
      });
      return { message, fresh };
    });
    if (system) {
      this.events.emit('conversation.created', {
        conversationId,
        userIds: system.fresh.map((r) => r.userId),
        origin,
      });
      this.events.emit('conversation.updated', { conversationId, origin });
      for (const r of system.fresh.filter((x) => !x.autoAccept)) {
        this.events.emit('conversation.invited', {
          conversationId,
          userId: r.userId,
          invitedBy: caller.id,
        });
      }
      this.messages.systemMessageEvent(system.message, origin);
    }
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

    const message = await this.conversations.db.transaction(async (tx) => {
      await this.conversations.lock(tx, conversationId);
      const target = (await this.conversations.participants([conversationId], tx)).find(
        (p) => p.user_id === userId,
      );
      if (!target) throw AppError.notFound();
      await this.conversations.removeParticipant(tx, conversationId, userId);
      await this.conversations.ensureAdmin(tx, conversationId);
      await this.conversations.touch(tx, conversationId);
      return this.messages.appendSystem(tx, conversationId, {
        kind: leaving ? 'member_left' : 'member_removed',
        actorId: caller.id,
        userIds: [userId],
      });
    });
    this.events.emit('conversation.removed', { conversationId, userId, origin });
    this.events.emit('conversation.updated', { conversationId, origin });
    this.messages.systemMessageEvent(message, origin);
  }

  async setRole(
    caller: AuthUser,
    conversationId: string,
    userId: string,
    role: 'admin' | 'member',
    origin?: EventOrigin,
  ): Promise<ParticipantDto> {
    await this.asGroupAdmin(caller, conversationId);
    await this.conversations.db.transaction(async (tx) => {
      await this.conversations.lock(tx, conversationId);
      const members = await this.conversations.participants([conversationId], tx);
      const target = members.find((p) => p.user_id === userId);
      if (!target || target.status !== 'active') throw AppError.notFound();
      const admins = members.filter((p) => p.status === 'active' && p.role === 'admin');
      if (role === 'member' && target.role === 'admin' && admins.length === 1) {
        throw new AppError('INVALID_PARTICIPANT', {
          role: ['a group needs an admin: promote someone else first'],
        });
      }
      await this.conversations.setRole(tx, conversationId, userId, role);
      await this.conversations.touch(tx, conversationId);
    });
    this.events.emit('conversation.updated', { conversationId, origin });
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
    const message = await this.conversations.db.transaction(async (tx) => {
      const locked = await this.conversations.lock(tx, conversationId);
      if (!locked) throw AppError.notFound();
      // The system message recording the acceptance is the first message they see.
      await this.conversations.accept(tx, conversationId, caller.id, locked.last_seq);
      await this.conversations.touch(tx, conversationId);
      return this.messages.appendSystem(tx, conversationId, {
        kind: 'invitation_accepted',
        actorId: caller.id,
      });
    });
    this.events.emit('conversation.updated', { conversationId, origin });
    this.messages.systemMessageEvent(message, origin);
    return this.conversationsService.view(conversationId, caller.id);
  }

  async decline(caller: AuthUser, conversationId: string, origin?: EventOrigin): Promise<void> {
    const me = await this.participantOrNotFound(caller, conversationId);
    if (me.viewer.status !== 'invited')
      throw AppError.notFound({ invitation: ['no pending invitation'] });
    await this.conversations.db.transaction(async (tx) => {
      await this.conversations.lock(tx, conversationId);
      await this.conversations.removeParticipant(tx, conversationId, caller.id);
      await this.conversations.touch(tx, conversationId);
    });
    this.events.emit('conversation.removed', { conversationId, userId: caller.id, origin });
    this.events.emit('conversation.updated', { conversationId, origin });
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
