import { canSee, historyFloor, lastVisibleSeq } from './visibility-rule';

describe('the visibility rule', () => {
  it('lets an active member see what came after their visible_after_seq, and nothing before', () => {
    const member = { status: 'active', visible_after_seq: '10' };
    expect(canSee(member, '10')).toBe(false);
    expect(canSee(member, '11')).toBe(true);
    expect(canSee(member, 11n)).toBe(true);
  });

  it('lets an invited user see no message at all', () => {
    expect(canSee({ status: 'invited', visible_after_seq: '0' }, '1')).toBe(false);
  });

  it('compares seqs as integers beyond 2^53, not as strings or floats', () => {
    const member = { visible_after_seq: '9007199254740993' };
    expect(canSee(member, '9007199254740993')).toBe(false);
    expect(canSee(member, '9007199254740994')).toBe(true);
    expect(canSee({ visible_after_seq: '9' }, '10')).toBe(true);
  });

  it('starts a page at the later of the asked position and the visible floor', () => {
    expect(historyFloor({ visible_after_seq: '5' }, '2')).toBe('5');
    expect(historyFloor({ visible_after_seq: '5' }, 8)).toBe('8');
  });

  it('shows a last message only when the viewer may see it', () => {
    expect(lastVisibleSeq({ status: 'active', visible_after_seq: '4' }, '4')).toBeNull();
    expect(lastVisibleSeq({ status: 'active', visible_after_seq: '4' }, '5')).toBe('5');
    expect(lastVisibleSeq({ status: 'invited', visible_after_seq: '0' }, '5')).toBeNull();
  });
});
