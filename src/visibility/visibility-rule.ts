/**
 * The visibility rule, as TypeScript sees it (the SQL side is the visibility migration's
 * `conversation_viewers`, `message_viewers`, `visible_after` and `can_see`): an active member
 * sees the messages after their `visible_after_seq` (they joined later, or deleted the
 * conversation for themselves). Invited users and former members see none.
 */
export interface ViewerPosition {
  /** absent or not 'active' for an invitation */
  status?: string;
  visible_after_seq: string | number;
}

/** May this participant see the message with this seq? */
export function canSee(viewer: ViewerPosition, seq: string | number | bigint): boolean {
  return (
    (viewer.status === undefined || viewer.status === 'active') &&
    BigInt(seq) > BigInt(viewer.visible_after_seq)
  );
}

/** The lowest seq a page of this viewer's history may start above: the later of the two. */
export function historyFloor(viewer: ViewerPosition, after: string | number = 0): string {
  const floor = BigInt(viewer.visible_after_seq);
  const asked = BigInt(after);
  return (asked > floor ? asked : floor).toString();
}

/**
 * The newest seq of the conversation this viewer can see, or null when nothing in it is
 * theirs to see (a conversation they joined after its last message, or cleared since).
 */
export function lastVisibleSeq(viewer: ViewerPosition, lastSeq: string): string | null {
  return canSee(viewer, lastSeq) ? lastSeq : null;
}
