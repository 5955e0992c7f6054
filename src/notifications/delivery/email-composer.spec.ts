import { composeDigestEmail, Digest } from './email-composer';

const digest = (over: Partial<Digest> = {}): Digest => ({
  locale: 'en',
  recipientName: 'Bob',
  conversationLabel: 'Alice',
  isGroup: false,
  items: [{ from: 'Alice', body: 'hello' }],
  ...over,
});

describe('composeDigestEmail', () => {
  it('writes one English email for a burst, naming the sender and each message', () => {
    const email = composeDigestEmail(
      digest({
        items: [
          { from: 'Alice', body: 'one' },
          { from: 'Alice', body: 'two' },
        ],
      }),
    );
    expect(email.subject).toBe('2 new messages from Alice');
    expect(email.text).toContain('Alice: one\nAlice: two');
    expect(email.html).toContain('<html lang="en" dir="ltr">');
    expect(email.html).toContain('<strong>Alice</strong>');
  });

  it('names a group by its title', () => {
    expect(composeDigestEmail(digest({ isGroup: true, conversationLabel: 'Team' })).subject).toBe(
      'New message in Team',
    );
  });

  it('writes Arabic right to left', () => {
    const email = composeDigestEmail(digest({ locale: 'ar' }));
    expect(email.subject).toBe('رسالة جديدة من Alice');
    expect(email.html).toContain('<html lang="ar" dir="rtl">');
    expect(email.html).toContain('<body dir="rtl"');
    expect(email.text).toContain('مرحبًا Bob،');
  });

  it('escapes everything users wrote in the HTML part, and keeps the text part as written', () => {
    const email = composeDigestEmail(
      digest({
        recipientName: '<b>Bob</b>',
        conversationLabel: 'A & "B"',
        items: [{ from: '<i>Alice</i>', body: '<script>alert(1)</script>' }],
      }),
    );
    expect(email.html).not.toMatch(/<script|<i>|<b>/);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('<title>New message from A &amp; &quot;B&quot;</title>');
    expect(email.text).toContain('<i>Alice</i>: <script>alert(1)</script>');
  });

  it('says “New message” for a message without a preview', () => {
    const email = composeDigestEmail(digest({ items: [{ from: 'Alice', body: '' }] }));
    expect(email.text).toContain('Alice: New message');
  });

  it('keeps the subject on one line', () => {
    expect(composeDigestEmail(digest({ conversationLabel: 'a\r\nBcc: x@y.z' })).subject).toBe(
      'New message from a Bcc: x@y.z',
    );
  });
});
