import { attachmentBody, inviteBody, mentions, messageTitle, preview } from './notification-text';

describe('mentions', () => {
  it('finds @displayName ignoring case, in any position', () => {
    expect(mentions('hi @bob smith, look', 'Bob Smith')).toBe(true);
    expect(mentions('@BOB SMITH', 'Bob Smith')).toBe(true);
    expect(mentions('thanks (@Bob Smith)!', 'Bob Smith')).toBe(true);
  });

  it('finds Arabic names', () => {
    expect(mentions('مرحبا @سارة كيف الحال', 'سارة')).toBe(true);
  });

  it('needs the @ and the whole name standing alone', () => {
    expect(mentions('hi Bob Smith', 'Bob Smith')).toBe(false);
    expect(mentions('hi @Alice', 'Ali')).toBe(false);
    expect(mentions('mail me@ali.example', 'ali')).toBe(false);
    expect(mentions('hi @Alice and @Ali', 'Ali')).toBe(true);
  });

  it('never matches an empty name', () => {
    expect(mentions('@ hello', ' ')).toBe(false);
  });
});

describe('preview', () => {
  it('keeps short text on one line', () => {
    expect(preview('  see\n\nyou   at 5 ')).toBe('see you at 5');
  });

  it('cuts long text to 140 characters with an ellipsis, never inside a code point', () => {
    const cut = preview('😀'.repeat(200));
    expect([...cut]).toHaveLength(140);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('titles and bodies', () => {
  it('names the sender, and the group in a group', () => {
    expect(messageTitle('Alice', null)).toBe('Alice');
    expect(messageTitle('Alice', 'Team')).toBe('Alice · Team');
  });

  it('speaks the recipient’s language', () => {
    expect(attachmentBody('image', 'ar')).toContain('صورة');
    expect(inviteBody('Alice', 'en')).toBe('Alice invited you to join the group');
    expect(inviteBody(null, 'ar')).toMatch(/[\u0600-\u06FF]/);
  });
});
