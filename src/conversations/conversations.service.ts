import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { Cursor, DEFAULT_LIMIT, Page } from '../common/pagination/page';
import { SystemMessages } from '../messages/system-messages';
import { ContactPolicy } from './contact-policy';
import { ConversationViews } from './conversation-views';
import { ConversationsRepository, ViewState } from './conversations.repository';
import { ConversationDto } from './dto/conversation.dto';
import {
  CreateConversationDto,
  ListConversationsQuery,
  MuteDto,
  UpdateConversationDto,
} from './dto/conversation-inputs.dto';
import { ConversationRow, ViewerRow } from './entities/conversation.row';
import { Transactions } from '../database/transactions';

export const MAX_GROUP_MEMBERS = 10;

export interface CreateResult {
  conversation: ConversationDto;
  /** false when an existing direct conversation was returned */
  created: boolean;
}

/** The sorted pair plus context: one direct conversation per pair and context. */
export const directKey = (a: string, b: string, contextId: string | null): string =>
  `${[a, b].sort().join(':')}:${contextId ?? ''}`;

/** Creating, listing and reading conversations, their settings, and each user's own view of them. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly views: ConversationViews,
    private readonly policy: ContactPolicy,
    private readonly systemMessages: SystemMessages,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

  async create(
    caller: AuthUser,
    dto: CreateConversationDto,
    origin?: EventOrigin,
  ): Promise<CreateResult> {
    const others = [...new Set(dto.participantIds.filter((id) => id !== caller.id))];
    if (dto.type === 'direct') {
      if (others.length !== 1) {
        throw AppError.validation({
          participantIds: ['a direct conversation has exactly one other participant'],
        });
      }
      return this.findOrCreateDirect(caller, others[0], dto, origin);
    }
    return { conversation: await this.createGroup(caller, others, dto, origin), created: true };
  }

  async findOrCreateDirect(
    caller: AuthUser,
    otherId: string,
    options: Pick<CreateConversationDto, 'contextId' | 'encryption' | 'allowFileSharing'>,
    origin?: EventOrigin,
  ): Promise<CreateResult> {
    this.policy.assertCanStart(caller);
    if (otherId === caller.id) {
      throw AppError.validation({
        participantIds: ['a direct conversation needs another participant'],
      });
    }
    const key = directKey(caller.id, otherId, options.contextId ?? null);
    const existing = await this.conversations.findDirect(key);
    if (existing) return this.existingDirect(caller, existing, otherId);
    await this.policy.reach(caller, [otherId]);
    const inserted = await this.transactions.run(async () => {
      const conversation = await this.conversations.insert({
        type: 'direct',
        title: null,
        contextId: options.contextId ?? null,
        encryption: options.encryption ?? 'none',
        allowFileSharing: options.allowFileSharing ?? true,
        createdBy: caller.id,
        directKey: key,
      });
      if (!conversation) return null;
      await this.conversations.addParticipants(conversation.id, [
        { userId: caller.id, role: 'member', status: 'active', visibleAfterSeq: '0' },
        { userId: otherId, role: 'member', status: 'active', visibleAfterSeq: '0' },
      ]);
      await this.events.publish('conversation.created', {
        conversationId: conversation.id,
        userIds: [caller.id, otherId],
        origin,
      });
      return conversation;
    });
    // Both users started it at the same moment: the unique direct key let one through.
    if (!inserted)
      return this.existingDirect(caller, (await this.conversations.findDirect(key))!, otherId);
    return { conversation: await this.view(inserted.id, caller.id), created: true };
  }

  private async existingDirect(
    caller: AuthUser,
    existing: ConversationRow,
    otherId: string,
  ): Promise<CreateResult> {
    await this.policy.assertNotBlocked(caller.id, otherId);
    return { conversation: await this.view(existing.id, caller.id), created: false };
  }

  private async createGroup(
    caller: AuthUser,
    others: string[],
    dto: CreateConversationDto,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    this.policy.assertCanStart(caller);
    if (others.length === 0)
      throw AppError.validation({ participantIds: ['a group needs at least one other member'] });
    if (others.length + 1 > MAX_GROUP_MEMBERS)
      throw new AppError('GROUP_FULL', { max: MAX_GROUP_MEMBERS });
    const reachable = await this.policy.reach(caller, others);
    const conversation = await this.transactions.run(async () => {
      const conversation = (await this.conversations.insert({
        type: 'group',
        title: dto.title ?? null,
        contextId: dto.contextId ?? null,
        encryption: dto.encryption ?? 'none',
        allowFileSharing: dto.allowFileSharing ?? true,
        createdBy: caller.id,
        directKey: null,
      }))!;
      await this.conversations.addParticipants(conversation.id, [
        { userId: caller.id, role: 'admin', status: 'active', visibleAfterSeq: '0' },
        ...reachable.map((r) => ({
          userId: r.userId,
          role: 'member' as const,
          status: r.autoAccept ? ('active' as const) : ('invited' as const),
          visibleAfterSeq: '0',
        })),
      ]);
      await this.events.publish('conversation.created', {
        conversationId: conversation.id,
        userIds: [caller.id, ...others],
        origin,
      });
      for (const r of reachable.filter((x) => !x.autoAccept)) {
        await this.events.publish('conversation.invited', {
          conversationId: conversation.id,
          userId: r.userId,
          invitedBy: caller.id,
        });
      }
      await this.systemMessages.append(
        conversation.id,
        {
          kind: 'group_created',
          actorId: caller.id,
          userIds: others,
          ...(dto.title ? { title: dto.title } : {}),
        },
        origin,
      );
      return conversation;
    });
    return this.view(conversation.id, caller.id);
  }

  async list(caller: AuthUser, q: ListConversationsQuery): Promise<Page<ConversationDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const before = q.cursor ? Cursor.decode(q.cursor, { activity: 'int', id: 'uuid' }) : null;
    if (before && !/^\d+$/.test(String(before.activity)))
      throw AppError.validation({ cursor: ['cursor is not valid'] });
    const rows = await this.conversations.listForUser(
      caller.id,
      q.archived ?? false,
      before,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: await this.views.render(page, caller.id),
      nextCursor:
        rows.length > limit ? Cursor.encode({ activity: last.last_activity, id: last.id }) : null,
    };
  }

  /** Any participant (invited included) sees the conversation; others get 404. */
  async get(caller: AuthUser, conversationId: string): Promise<ConversationDto> {
    return this.view(conversationId, caller.id);
  }

  async update(
    caller: AuthUser,
    conversationId: string,
    dto: UpdateConversationDto,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    const current = await this.conversations.forViewer(conversationId, caller.id);
    if (!current) throw AppError.notFound();
    this.assertMayUpdate(current, dto);
    const titleChanged = dto.title !== undefined && dto.title !== current.title;
    // direct conversations have no system messages
    const retentionChanged =
      current.type === 'group' &&
      dto.retentionDays !== undefined &&
      dto.retentionDays !== current.retention_days;
    await this.transactions.run(async () => {
      await this.conversations.update(conversationId, dto);
      await this.events.publish('conversation.updated', { conversationId, origin });
      if (titleChanged) {
        await this.systemMessages.append(
          conversationId,
          { kind: 'title_changed', actorId: caller.id, title: dto.title },
          origin,
        );
      }
      if (retentionChanged) {
        await this.systemMessages.append(
          conversationId,
          {
            kind: 'retention_changed',
            actorId: caller.id,
            retentionDays: dto.retentionDays ?? null,
          },
          origin,
        );
      }
    });
    return this.view(conversationId, caller.id);
  }

  /**
   * Settings are a group admin's; retention is also either member's in a direct conversation
   * (API.md, PATCH /conversations/:id).
   */
  private assertMayUpdate(current: ViewerRow, dto: UpdateConversationDto): void {
    if (current.viewer.status !== 'active') throw new AppError('NOT_GROUP_ADMIN');
    const onlyRetention =
      dto.retentionDays !== undefined &&
      dto.title === undefined &&
      dto.allowFileSharing === undefined;
    if (current.type === 'direct' && onlyRetention) return;
    if (current.type !== 'group' || current.viewer.role !== 'admin')
      throw new AppError('NOT_GROUP_ADMIN');
  }

  archive(
    caller: AuthUser,
    conversationId: string,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    return this.changeView(caller, conversationId, { archived_at: new Date() }, origin);
  }

  unarchive(
    caller: AuthUser,
    conversationId: string,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    return this.changeView(caller, conversationId, { archived_at: null }, origin);
  }

  mute(
    caller: AuthUser,
    conversationId: string,
    dto: MuteDto,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    const until = dto.until ? new Date(dto.until) : null;
    if (until && until.getTime() <= Date.now())
      throw AppError.validation({ until: ['until must be in the future'] });
    return this.changeView(caller, conversationId, { muted: true, muted_until: until }, origin);
  }

  unmute(caller: AuthUser, conversationId: string, origin?: EventOrigin): Promise<ConversationDto> {
    return this.changeView(caller, conversationId, { muted: false, muted_until: null }, origin);
  }

  /** Deletes the conversation for the caller only: hidden, and its history so far invisible to them. */
  async deleteForMe(caller: AuthUser, conversationId: string, origin?: EventOrigin): Promise<void> {
    await this.transactions.run(async () => {
      if (!(await this.conversations.clearForUser(conversationId, caller.id)))
        throw AppError.notFound();
      await this.events.publish('conversation.removed', {
        conversationId,
        userId: caller.id,
        origin,
      });
    });
  }

  async view(conversationId: string, viewerId: string): Promise<ConversationDto> {
    const view = await this.views.forViewer(conversationId, viewerId);
    if (!view) throw AppError.notFound();
    return view;
  }

  private async changeView(
    caller: AuthUser,
    conversationId: string,
    state: ViewState,
    origin?: EventOrigin,
  ): Promise<ConversationDto> {
    if (!(await this.conversations.setViewState(conversationId, caller.id, state)))
      throw AppError.notFound();
    this.events.emit('conversation.view_changed', { conversationId, userId: caller.id, origin });
    return this.view(conversationId, caller.id);
  }
}
