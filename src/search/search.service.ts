import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { DEFAULT_LIMIT, Page, toPage } from '../common/pagination/page';
import { MessageAccess } from '../messages/message-access';
import { MessageViews } from '../messages/message-views';
import { SearchHitDto } from './dto/search-hit.dto';
import { SearchQuery } from './dto/search-query.dto';
import { HitWords } from './hit-words';
import { SearchCursor } from './search-cursor';
import { SearchRepository } from './search.repository';
import { Visibility } from '../visibility/visibility.service';
import { buildSnippet } from './snippet';

@Injectable()
export class SearchService {
  constructor(
    private readonly repository: SearchRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
    private readonly hitWords: HitWords,
    private readonly visibility: Visibility,
  ) {}

  /** A page of the caller's messages that match, best first; a conversation not theirs is 404. */
  async search(caller: AuthUser, q: SearchQuery): Promise<Page<SearchHitDto>> {
    if (q.conversationId) await this.access.member(caller, q.conversationId);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const found = await this.repository.search({
      userId: caller.id,
      q: q.q,
      conversationIds: q.conversationId
        ? [q.conversationId]
        : // read before the search so that it is planned for these very ids (searchStatement)
          await this.visibility.conversationIds(caller.id),
      after: q.cursor ? SearchCursor.decode(q.cursor) : null,
      limit: limit + 1,
    });
    const page = toPage(
      found,
      limit,
      (r) => r,
      (r) => SearchCursor.encode({ rank: r.rank, createdUs: r.created_us, id: r.id }),
    );
    const [messages, isHit] = await Promise.all([
      this.views.render(page.items, caller.id),
      this.hitWords.of(q.q, page.items),
    ]);
    return {
      items: page.items.map((r, i) => ({
        message: messages[i],
        conversationId: r.conversation_id,
        conversationTitle: r.conversation_title,
        snippet: buildSnippet(r.content, (word) => isHit(r.language, word)),
        rank: Number(r.rank),
      })),
      nextCursor: page.nextCursor,
    };
  }
}
