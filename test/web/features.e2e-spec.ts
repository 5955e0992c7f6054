import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
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

jest.setTimeout(120_000);

const PDF = join(__dirname, '..', 'fixtures', 'attachments', 'sample.pdf');

async function attach(page: Page, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach' }).click();
  await (await chooser).setFiles(file);
}

describeBrowser('web client: attachments, search, groups and invitations', () => {
  let t: TestApp;
  let browser: Browser;
  let nora: TestUser;
  let omar: TestUser;
  let pia: TestUser;
  let n: Client;
  let image: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launch()]);
    [nora, omar, pia] = await Promise.all([
      createUser(t, { displayName: 'Nora Field' }),
      createUser(t, { displayName: 'Omar Haddad' }),
      createUser(t, { displayName: 'Pia Lund' }),
    ]);
    const direct = await chat(t).direct(nora, omar);
    await chat(t).send(omar, direct.id, 'The quarterly invoice is attached <b>soon</b>');
    await chat(t).send(omar, direct.id, 'Nothing else to report');
    image = join(mkdtempSync(join(tmpdir(), 'web-')), 'photo.png');
    writeFileSync(
      image,
      await sharp({
        create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 120, b: 200 } },
      })
        .png()
        .toBuffer(),
    );
    n = await newClient(browser, t.url);
    await signIn(n.page, nora);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('uploads an image (thumbnail that opens the full image) and a PDF (a file link)', async () => {
    await openConversation(n.page, 'Omar Haddad');
    await attach(n.page, image);
    await n.page
      .getByRole('button', { name: 'Send' })
      .and(n.page.locator(':not([disabled])'))
      .waitFor();
    await send(n.page, 'Here is the photo');
    const sent = messages(n.page).getByRole('article').filter({ hasText: 'Here is the photo' });
    const thumb = sent.getByRole('button', { name: 'Open image photo.png' });
    await thumb.locator('img[src^="blob:"]').waitFor();
    const size = await thumb.locator('img').evaluate((img: any) => img.naturalWidth as number);
    expect(size).toBeLessThanOrEqual(320); // the thumbnail, not the 640 px original
    await thumb.click();
    const dialog = n.page.getByRole('dialog', { name: 'photo.png' });
    await dialog.locator('img[src^="blob:"]').waitFor();
    expect(await dialog.locator('img').evaluate((img: any) => img.naturalWidth as number)).toBe(
      640,
    );
    await n.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await attach(n.page, PDF);
    await n.page
      .getByRole('button', { name: 'Send' })
      .and(n.page.locator(':not([disabled])'))
      .click();
    const link = messages(n.page).getByRole('link', { name: 'Download sample.pdf' });
    await link.waitFor();
    const download = n.page.waitForEvent('download');
    await link.click();
    expect((await download).suggestedFilename()).toBe('sample.pdf');
    expect(n.problems).toEqual([]);
  });

  it('searches across conversations with marked, safely rendered snippets', async () => {
    await n.page.getByRole('searchbox', { name: 'Search messages' }).fill('invoice');
    const results = n.page.getByRole('list', { name: 'Search results' });
    await results.locator('mark').first().waitFor();
    expect(await results.locator('mark').first().textContent()).toMatch(/invoice/i);
    // the message's own markup is text, never HTML
    expect(await results.locator('b').count()).toBe(0);
    expect(await results.textContent()).toContain('<b>soon</b>');
    expect(await results.getByText('Nothing else').count()).toBe(0);
    await n.page.getByRole('searchbox', { name: 'Search messages' }).fill('');
  });

  it('creates a group; the invited member accepts and then chats', async () => {
    await n.page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = n.page.getByRole('dialog', { name: 'New conversation' });
    for (const name of ['Omar', 'Pia']) {
      await dialog.getByRole('searchbox', { name: 'Find people' }).fill(name);
      await dialog.getByRole('button', { name: new RegExp(name) }).click();
    }
    await dialog.getByRole('textbox', { name: 'Group title' }).fill('Launch crew');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await messages(n.page).getByText('You created the group').waitFor();
    await send(n.page, 'Welcome to the crew');

    // Pia (no auto-accept) sees an invitation, accepts, and sees messages from then on
    const p = await newClient(browser, t.url);
    await signIn(p.page, pia);
    const item = p.page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('listitem')
      .filter({ hasText: 'Launch crew' });
    await item.getByText('Invitation').waitFor();
    await item.getByRole('link', { name: 'Launch crew' }).click();
    await p.page.getByText('You are invited to this group.').waitFor();
    await p.page.getByRole('button', { name: 'Accept' }).click();
    await messages(p.page).getByText('You joined').waitFor();
    expect(await messages(p.page).getByText('Welcome to the crew').count()).toBe(0);
    await send(p.page, 'Happy to join');
    await messages(n.page).getByText('Happy to join').waitFor();
    // sender names in groups
    await messages(n.page)
      .getByRole('article')
      .filter({ hasText: 'Happy to join' })
      .getByText('Pia Lund')
      .waitFor();

    // Omar declines: the group leaves his list
    const o = await newClient(browser, t.url);
    await signIn(o.page, omar);
    const omarItem = o.page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: 'Launch crew' });
    await omarItem.click();
    await o.page.getByRole('button', { name: 'Decline' }).click();
    await omarItem.waitFor({ state: 'detached' });

    // the admin renames the group and makes Pia an admin
    await n.page.getByRole('button', { name: 'Conversation options' }).click();
    await n.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = n.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByRole('textbox', { name: 'Group title' }).fill('Launch crew 2');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await settings.getByRole('combobox', { name: 'Role: Pia Lund' }).selectOption('admin');
    await n.page.keyboard.press('Escape');
    await p.page.getByRole('heading', { name: 'Launch crew 2' }).waitFor();
    const conversation = (
      await t.http().get(`${API}/conversations?limit=10`).set(auth(pia.token)).expect(200)
    ).body.items.find((c: any) => c.title === 'Launch crew 2');
    expect(conversation.participants.find((x: any) => x.userId === pia.id).role).toBe('admin');
    expect(p.problems).toEqual([]);
    await Promise.all([p.context.close(), o.context.close()]);
    await connected(n.page);
  });

  it('loads older pages when scrolled to the top, and shows a thread with its replies', async () => {
    const c = chat(t);
    const direct = await c.direct(pia, nora);
    let last: { id: string } = { id: '' };
    for (let i = 1; i <= 60; i++) last = await c.send(pia, direct.id, `Numbered message ${i}.`);
    await c.send(nora, direct.id, 'A reply in the thread', { replyToMessageId: last.id });
    await n.page.reload();
    await connected(n.page);
    // a reload keeps the session and reopens the conversation of the address
    await n.page.getByRole('heading', { name: 'Launch crew 2' }).waitFor();
    await openConversation(n.page, 'Pia Lund');
    const log = messages(n.page);
    await log.getByText('Numbered message 60.', { exact: true }).waitFor();
    expect(await log.getByText('Numbered message 1.', { exact: true }).count()).toBe(0);
    await log.evaluate((el: any) => {
      el.scrollTop = 0;
    });
    await log.getByText('Numbered message 1.', { exact: true }).waitFor();

    const root = log.getByRole('article').filter({ hasText: 'Numbered message 60.' });
    await root.getByRole('button', { name: '1 reply' }).click();
    const thread = n.page.getByRole('complementary', { name: 'Thread' });
    await thread.getByText('A reply in the thread').waitFor();
    await thread.getByRole('textbox', { name: 'Reply' }).fill('Second reply');
    await thread.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await thread.getByText('Second reply').waitFor();
    await root.getByRole('button', { name: '2 replies' }).waitFor();
  });
});
