import { describe, expect, it } from 'vitest';
import { mergeMessages, receiptOf, sortConversations } from './store';
import { conversation, message, ME, PEER } from './test-utils';

describe('receiptOf', () => {
  const mine = message({ senderId: ME.id, seq: 5 });
  const withPeerAt = (lastReadSeq: number) =>
    conversation({
      participants: conversation().participants.map((p) =>
        p.userId === PEER ? { ...p, lastReadSeq } : p,
      ),
    });

  it('is sent until the peer has it', () => {
    expect(receiptOf(mine, withPeerAt(4), {})).toBe('sent');
  });
  it('is delivered when a delivery receipt covers it', () => {
    expect(receiptOf(mine, withPeerAt(4), { [PEER]: 5 })).toBe('delivered');
  });
  it('is read when the peer has read up to it', () => {
    expect(receiptOf(mine, withPeerAt(5), {})).toBe('read');
  });
  it('in a group, is read only when every other active member has read it', () => {
    const third = { ...conversation().participants[1], userId: 'u3', lastReadSeq: 2 };
    const group = conversation({
      type: 'group',
      participants: [...withPeerAt(9).participants, third],
    });
    expect(receiptOf(mine, group, {})).toBe('sent');
    expect(receiptOf(mine, group, { u3: 6 })).toBe('delivered');
  });
});

describe('mergeMessages', () => {
  it('keeps seq order, replaces by id, and never goes back to an older version', () => {
    const a = message({ id: 'a', seq: 2, version: 2, content: 'two' });
    const b = message({ id: 'b', seq: 1, version: 1 });
    const edited = { ...a, version: 5, content: 'edited' };
    const merged = mergeMessages([a], [b, edited]);
    expect(merged.map((m) => m.id)).toEqual(['b', 'a']);
    expect(merged[1].content).toBe('edited');
    expect(mergeMessages(merged, [a])[1].content).toBe('edited');
  });
});

describe('sortConversations', () => {
  it('orders by last activity, newest first', () => {
    const old = conversation({ id: 'old', updatedAt: '2026-12-01T00:00:00.000Z' });
    const recent = conversation({
      id: 'recent',
      lastMessage: message({ createdAt: '2026-12-05T12:00:00.000Z' }),
    });
    expect(sortConversations([old, recent]).map((c) => c.id)).toEqual(['recent', 'old']);
  });
});
