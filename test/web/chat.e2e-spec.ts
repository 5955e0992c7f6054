import type { Browser } from 'playwright-core';
import { chat } from '../support/chat';
import { auth, createUser, type TestUser } from '../support/factories';
import { API, startTestApp, type TestApp } from '../support/test-app';
import {
  connected,
  describeBrowser,
  launch,
  messages,
  newClient,
  openConversation,
  send,
  signIn,
  type Client,
} from './browser';

jest.setTimeout(90_000);

describeBrowser('web client: two users chat', () => {
  let t: TestApp;
  let browser: Browser;
  let alice: TestUser;
  let bob: TestUser;
  let a: Client;
  let b: Client;
  let conversationId: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launch()]);
    [alice, bob] = await Promise.all([
      createUser(t, { displayName: 'Alice' }),
      createUser(t, { displayName: 'Bob' }),
    ]);
    conversationId = (await chat(t).direct(alice, bob)).id;
    [a, b] = await Promise.all([newClient(browser, t.url), newClient(browser, t.url)]);
    await Promise.all([signIn(a.page, alice), signIn(b.page, bob)]);
    await Promise.all([openConversation(a.page, 'Bob'), openConversation(b.page, 'Alice')]);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a message, the typing indicator, the read receipt, a reaction, an edit and a delete', async () => {
    // typing
    await b.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi');
    await a.page.getByRole('status').filter({ hasText: 'Bob is typing…' }).waitFor();

    // message, sent with Enter
    await b.page.getByRole('textbox', { name: 'Message' }).fill('Hello Alice');
    await b.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const onA = messages(a.page).getByRole('article').filter({ hasText: 'Hello Alice' });
    await onA.waitFor();
    await a.page
      .getByRole('status')
      .filter({ hasText: 'Bob is typing…' })
      .waitFor({ state: 'detached' });

    // Alice has the conversation open: Bob sees it read
    const onB = messages(b.page).getByRole('article').filter({ hasText: 'Hello Alice' });
    await onB.getByRole('img', { name: 'Read' }).waitFor();

    // reaction
    await onA.getByRole('button', { name: 'Message actions' }).click();
    await onA.getByRole('button', { name: 'React with 👍' }).click();
    await onB.getByRole('button', { name: '👍 1' }).waitFor();

    // edit
    await onB.getByRole('button', { name: 'Message actions' }).click();
    await onB.getByRole('button', { name: 'Edit' }).click();
    const box = b.page.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello Alice, edited');
    await box.press('Enter');
    await messages(a.page)
      .getByRole('article')
      .filter({ hasText: 'Hello Alice, edited' })
      .getByText('edited', { exact: true })
      .waitFor();

    // delete
    const edited = messages(b.page).getByRole('article').filter({ hasText: 'Hello Alice, edited' });
    await edited.getByRole('button', { name: 'Message actions' }).click();
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.getByRole('button', { name: 'Delete' }).click();
    await messages(a.page).getByText('This message was deleted.').waitFor();
    expect(await messages(a.page).getByText('Hello Alice, edited').count()).toBe(0);

    // a reply from Alice lands on Bob's side, own messages on the inline-end side
    await send(a.page, 'Hi Bob');
    const reply = messages(b.page).getByRole('article').filter({ hasText: 'Hi Bob' });
    await reply.waitFor();
    expect(await reply.getAttribute('class')).toContain('theirs');
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });

  it('keeps a second tab of the same user in step', async () => {
    const second = await a.context.newPage();
    await second.goto('/');
    await connected(second);
    await openConversation(second, 'Bob');
    await send(b.page, 'To both of your tabs');
    for (const page of [a.page, second]) {
      await messages(page)
        .getByRole('article')
        .filter({ hasText: 'To both of your tabs' })
        .waitFor();
    }
    await send(second, 'Sent from the second tab');
    const mine = messages(a.page)
      .getByRole('article')
      .filter({ hasText: 'Sent from the second tab' });
    await mine.waitFor();
    expect(await mine.getAttribute('class')).toContain('mine');
    await messages(b.page)
      .getByRole('article')
      .filter({ hasText: 'Sent from the second tab' })
      .waitFor();
    await second.close();
  });

  it('offline: shows the banner, then exactly what it missed, and sends what was written once', async () => {
    await a.context.setOffline(true);
    await a.page.getByRole('status', { name: /Offline/ }).waitFor();
    await send(b.page, 'Missed one');
    await send(b.page, 'Missed two');
    await messages(b.page)
      .getByRole('article')
      .filter({ hasText: 'Missed two' })
      .getByRole('img', { name: 'Delivered' })
      .or(
        messages(b.page)
          .getByRole('article')
          .filter({ hasText: 'Missed two' })
          .getByRole('img', { name: 'Sent' }),
      )
      .waitFor();
    await send(a.page, 'Written offline');
    await messages(a.page)
      .getByRole('article')
      .filter({ hasText: 'Written offline' })
      .getByRole('img', { name: 'Waiting to send' })
      .waitFor();

    await a.context.setOffline(false);
    await connected(a.page);
    await messages(a.page).getByRole('article').filter({ hasText: 'Missed two' }).waitFor();
    await messages(b.page).getByRole('article').filter({ hasText: 'Written offline' }).waitFor();
    await messages(a.page)
      .getByRole('article')
      .filter({ hasText: 'Written offline' })
      .getByRole('img', { name: /Sent|Delivered|Read/ })
      .waitFor();
    for (const text of ['Missed one', 'Missed two', 'Written offline']) {
      expect(await messages(a.page).getByRole('article').filter({ hasText: text }).count()).toBe(1);
      expect(await messages(b.page).getByRole('article').filter({ hasText: text }).count()).toBe(1);
    }
    const stored = await t
      .http()
      .get(`${API}/conversations/${conversationId}/messages?limit=100`)
      .set(auth(alice.token))
      .expect(200);
    expect(stored.body.items.filter((m: any) => m.content === 'Written offline')).toHaveLength(1);
    expect(a.problems).toEqual([]);
  });
});
