import { Injectable } from '@nestjs/common';
import { perTurnLoader } from '../database/per-turn-loader';
import { canSee } from './visibility-rule';
import { ViewerPosition, ViewerRow, VisibilityRepository } from './visibility.repository';

/**
 * Who may see what: the one TypeScript API over the visibility rule (visibility-rule.ts) and
 * its SQL building blocks (the visibility migration). History, single messages, replies,
 * receipts, changes, sync, search, attachment downloads, fan-out and notifications ask here, or
 * use those building blocks inside their statements; none reads conversation_participants
 * for access itself.
 *
 * Nothing is cached: every answer reads the database as it is now, so a member removed a
 * moment ago sees nothing more. Lookups of one turn of the event loop share one query.
 */
@Injectable()
export class Visibility {
  private readonly viewersOf = perTurnLoader<string, ViewerRow[]>(async (ids) => {
    const rows = await this.repository.viewers(ids);
    return ids.map((id) => rows.filter((v) => v.conversation_id === id));
  });

  constructor(private readonly repository: VisibilityRepository) {}

  /** The users who may see the message with this seq, read now. */
  async recipients(conversationId: string, seq: string | number): Promise<string[]> {
    const viewers = (await this.viewersOf.load(conversationId)) ?? [];
    return viewers.filter((v) => canSee(v, seq)).map((v) => v.viewer_id);
  }

  /** The active members of a conversation (what every one of them sees changed: receipts, typing). */
  async members(conversationId: string): Promise<string[]> {
    return ((await this.viewersOf.load(conversationId)) ?? []).map((v) => v.viewer_id);
  }

  /** The viewer's position in those of the given conversations they may see, with their versions. */
  positions(viewerId: string, conversationIds: readonly string[]): Promise<ViewerPosition[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return this.repository.positions(viewerId, conversationIds);
  }

  /** The conversations the user may see messages of. */
  conversationIds(viewerId: string): Promise<string[]> {
    return this.repository.conversationIds(viewerId);
  }
}
