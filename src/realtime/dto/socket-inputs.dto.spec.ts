import fc from 'fast-check';
import { AppValidationPipe } from '../../common/validation/app-validation.pipe';
import { quickSocketSend, SocketSendDto } from './socket-inputs.dto';

const pipe = new AppValidationPipe();
const viaPipe = (payload: unknown): Promise<unknown> =>
  pipe.transform(payload, { type: 'body', metatype: SocketSendDto }).then(
    (dto) => dto,
    () => 'refused',
  );

/** Strings near every rule's edges: blanks around, NUL, long, empty, not strings at all. */
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ minLength: 3990, maxLength: 4010 }),
  fc.constantFrom('', '   ', ' a ', 'x\u0000y', '𝒜'.repeat(40), 'مرحبا', 'en', 'ar ', 'EN'),
  fc.uuid().map((u) => ` ${u.toUpperCase()} `),
  fc.uuid({ version: [1, 4, 7] }),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid'),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.constant(null),
  fc.array(fc.uuid(), { maxLength: 2 }),
);
const payload = fc.oneof(
  fc.record(
    {
      conversationId: value,
      content: value,
      clientMessageId: value,
      replyToMessageId: value,
      language: value,
      attachmentIds: value,
      extra: value,
    },
    { requiredKeys: [] },
  ),
  // near the everyday send: each field valid, or one of the edge values above
  fc.record(
    {
      conversationId: fc.oneof(fc.uuid({ version: 4 }), fc.uuid({ version: 4 }), text),
      content: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), text),
      clientMessageId: fc.oneof(fc.string({ minLength: 1, maxLength: 70 }), text),
      replyToMessageId: fc.oneof(fc.uuid({ version: 4 }), text),
      language: fc.oneof(fc.constantFrom('en', 'ar'), text),
    },
    { requiredKeys: ['conversationId', 'content', 'clientMessageId'] },
  ),
  fc.constantFrom(null, 'text', 42, [], Object.create(null) as object),
);

describe('quickSocketSend', () => {
  it('accepts only what the validation pipe accepts, with the same result', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const quick = quickSocketSend(p);
        if (quick === null) return;
        accepted++;
        expect(quick).toBeInstanceOf(SocketSendDto);
        expect(await viaPipe(p)).toStrictEqual(quick);
      }),
      { numRuns: 3000 },
    );
    // the property above says nothing unless the quick path takes a fair share
    expect(accepted).toBeGreaterThan(50);
  });

  it('takes the everyday send, trimmed', () => {
    const dto = quickSocketSend({
      conversationId: '3f2b8c1e-9a4d-4e2f-8b1a-2c3d4e5f6a7b',
      content: '  hello  ',
      clientMessageId: 'c-1',
    });
    expect(dto).toStrictEqual(
      Object.assign(new SocketSendDto(), {
        conversationId: '3f2b8c1e-9a4d-4e2f-8b1a-2c3d4e5f6a7b',
        content: 'hello',
        clientMessageId: 'c-1',
      }),
    );
  });

  it('leaves attachments, unknown fields and refusals to the pipe', () => {
    const base = { conversationId: '3f2b8c1e-9a4d-4e2f-8b1a-2c3d4e5f6a7b', clientMessageId: 'c' };
    expect(quickSocketSend({ ...base, content: '', attachmentIds: [] })).toBeNull();
    expect(quickSocketSend({ ...base, content: 'x', admin: true })).toBeNull();
    expect(quickSocketSend({ ...base, content: '   ' })).toBeNull();
    expect(quickSocketSend({ ...base, content: 'a\u0000b' })).toBeNull();
  });
});
