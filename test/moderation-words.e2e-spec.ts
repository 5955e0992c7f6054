import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chat } from './support/chat';
import { createUser, TestUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const scunthorpe = readFileSync(join(__dirname, 'fixtures', 'moderation', 'scunthorpe.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => line.split('\t')[2]);

describe('moderation: ordinary words, and the operator allow and deny lists (issue 16)', () => {
  let t: TestApp;
  let a: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestApp({
      MODERATION_ALLOW_WORDS: ' Dick , لبوة',
      MODERATION_DENY_WORDS: 'scammer,cash app,حرامي',
    });
    const b = await createUser(t);
    a = await createUser(t);
    conversationId = (await chat(t).direct(a, b)).id;
  });
  afterAll(() => t.close());

  const send = (content: string) => chat(t).send(a, conversationId, content);

  it('stores every Scunthorpe case of the fixture as written and clean', async () => {
    for (const content of scunthorpe)
      expect(await send(content)).toMatchObject({ content, moderation: 'clean' });
  });

  it('still masks profanity, evasions included, next to ordinary words', async () => {
    expect(await send('the cockpit crew are f.u.c.k.i.n.g late, motherfucker')).toMatchObject({
      content: 'the cockpit crew are ***.i.n.g late, mother***er',
      moderation: 'masked',
    });
  });

  it('leaves allowed words alone, bare or with Arabic clitics, and masks denied ones', async () => {
    expect(await send('Dick saw the lioness: اللبوة')).toMatchObject({
      content: 'Dick saw the lioness: اللبوة',
      moderation: 'clean',
    });
    expect(await send('that SCAMMER wants Cash App, يا الحرامي')).toMatchObject({
      content: 'that *** wants ***, يا ***',
      moderation: 'masked',
    });
    expect(await send('Dick is still a dickhead')).toMatchObject({
      content: 'Dick is still a ***head',
      moderation: 'masked',
    });
  });
});
