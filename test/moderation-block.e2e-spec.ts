import { chat } from './support/chat';
import { auth, createUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

describe('moderation with block actions', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({
      MODERATION_PROFANITY: 'block',
      MODERATION_CONTACT_INFO: 'block',
    });
  });
  afterAll(() => strict.close());

  it('refuses with 422 CONTENT_BLOCKED naming the checks and stores nothing', async () => {
    const [x, y] = await Promise.all([createUser(strict), createUser(strict)]);
    const conversation = await chat(strict).direct(x, y);
    const res = await strict
      .http()
      .post(`${API}/conversations/${conversation.id}/messages`)
      .set(auth(x.token))
      .send({ content: 'fuck, mail me at a@b.com', clientMessageId: 'blocked-1' })
      .expect(422);
    expect(res.body).toMatchObject({
      statusCode: 422,
      code: 'CONTENT_BLOCKED',
      details: { reasons: ['profanity', 'contact_info'] },
    });
    const after = await chat(strict).get(x, conversation.id);
    expect(after.lastSeq).toBe(0);
    expect(await chat(strict).history(y, conversation.id)).toEqual([]);
    // the idempotency key was not used up
    await strict
      .http()
      .post(`${API}/conversations/${conversation.id}/messages`)
      .set(auth(x.token))
      .send({ content: 'hello', clientMessageId: 'blocked-1' })
      .expect(201);
  });
});
