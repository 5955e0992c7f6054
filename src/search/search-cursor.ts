import { AppError } from '../common/errors/app-error';
import { Cursor } from '../common/pagination/page';

/**
 * Where a page of search hits ends: rank (a decimal with up to 6 places, as the database
 * rounds it), creation time in microseconds since the epoch, and id; all exact, so the next
 * page starts right after the last hit.
 */
export interface SearchPosition {
  rank: string;
  createdUs: string;
  id: string;
}

const RANK = /^\d{1,12}(\.\d{1,6})?$/;

export const SearchCursor = {
  encode(p: SearchPosition): Record<string, unknown> {
    return { r: p.rank, t: p.createdUs, id: p.id };
  },

  /** A forged or garbled cursor is a 400, never a query error. */
  decode(cursor: string): SearchPosition {
    const { r, t, id } = Cursor.decode(cursor, { r: 'string', t: 'int', id: 'uuid' });
    if (!RANK.test(r)) throw AppError.validation({ cursor: ['cursor is not valid'] });
    return { rank: r, createdUs: t, id };
  },
};
