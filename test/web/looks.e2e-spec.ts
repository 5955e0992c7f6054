import type { Browser, Page } from 'playwright-core';
import { chat } from '../support/chat';
import { createUser, type TestUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  axe,
  connected,
  describeBrowser,
  launch,
  messages,
  newClient,
  screenshotPath,
} from './browser';

jest.setTimeout(120_000);

/** Every visible control narrower or shorter than a finger (44 px), and the page's overflow. */
async function phoneProblems(page: Page): Promise<{ small: string[]; overflow: number }> {
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    const small: string[] = [];
    for (const el of doc.querySelectorAll('button, a[href], input, select, textarea')) {
      // a stretched link's target is its whole list item
      const r = (
        el.classList.contains('stretched') ? el.closest('li') : el
      ).getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.type === 'file') continue;
      if (r.height < 44 || r.width < 44) {
        small.push(
          `${el.tagName} "${el.getAttribute('aria-label') ?? el.textContent}" ${Math.round(r.width)}x${Math.round(r.height)}`,
        );
      }
    }
    return { small, overflow: doc.documentElement.scrollWidth - doc.documentElement.clientWidth };
  });
}

describeBrowser('web client: languages, phone and desktop, accessibility', () => {
  let t: TestApp;
  let browser: Browser;
  let amira: TestUser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launch()]);
    let sam: TestUser;
    [amira, sam] = await Promise.all([
      createUser(t, { displayName: 'أميرة', locale: 'ar' }),
      createUser(t, { displayName: 'Sam Carter' }),
    ]);
    const c = chat(t);
    const direct = await c.direct(sam, amira);
    await c.send(sam, direct.id, 'Hi Amira, is the contract ready?');
    await c.send(amira, direct.id, 'نعم، أرسلته صباح اليوم. هل وصلك؟');
    await c.send(sam, direct.id, 'Got it, شكرا جزيلا!');
    await c.autoAccept(sam);
    const group = await c.group(amira, [sam], 'فريق المشروع');
    await c.send(amira, group.id, 'اجتماعنا غدا الساعة 10');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const lang of ['en', 'ar'] as const) {
    for (const width of [390, 1280]) {
      it(`${lang} at ${width} px: layout, direction, screenshots`, async () => {
        const { page, context, problems } = await newClient(browser, t.url, { width, height: 800 });
        await page.goto('/');
        await page
          .getByRole('combobox', { name: lang === 'ar' ? 'اللغة' : 'Language' })
          .or(page.getByRole('combobox', { name: 'Language' }))
          .selectOption(lang);
        const html = page.locator('html');
        expect(await html.getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        expect(await html.getAttribute('lang')).toBe(lang);
        await page.screenshot({ path: screenshotPath(`${lang}-${width}-sign-in.png`) });

        const L =
          lang === 'ar'
            ? {
                email: 'البريد الإلكتروني',
                password: 'كلمة المرور',
                signIn: 'تسجيل الدخول',
                list: 'المحادثات',
                log: 'الرسائل',
                message: 'الرسالة',
                send: 'إرسال',
                back: 'رجوع',
              }
            : {
                email: 'Email',
                password: 'Password',
                signIn: 'Sign in',
                list: 'Conversations',
                log: 'Messages',
                message: 'Message',
                send: 'Send',
                back: 'Back',
              };
        await page.getByRole('textbox', { name: L.email }).fill(amira.email);
        await page.getByRole('textbox', { name: L.password }).fill('password-123');
        await page.getByRole('button', { name: L.signIn }).click();
        const list = page.getByRole('list', { name: L.list });
        await list.getByRole('link').first().waitFor();
        await connected(page);
        await page.screenshot({ path: screenshotPath(`${lang}-${width}-list.png`) });

        await list.getByRole('link', { name: 'Sam Carter' }).click();
        const log = messages(page).or(page.getByRole('log', { name: L.log }));
        await log.getByText('Got it').waitFor();
        await page.getByRole('textbox', { name: L.message }).waitFor();
        await page.getByRole('button', { name: L.send }).waitFor();
        // every message in the direction of its own text, in either UI
        expect(await log.locator('p[dir="rtl"]', { hasText: 'نعم، أرسلته' }).count()).toBe(1);
        expect(await log.locator('p[dir="ltr"]', { hasText: 'Hi Amira' }).count()).toBe(1);
        expect(await log.locator('p[dir="ltr"]', { hasText: 'Got it, شكرا' }).count()).toBe(1);
        const time = await log.locator('time').first().textContent();
        // times in the locale's own format (Arabic: ص/م for AM/PM)
        expect(time).toMatch(lang === 'ar' ? /[صم]/ : /AM|PM/);
        await page.screenshot({ path: screenshotPath(`${lang}-${width}-conversation.png`) });

        if (width === 390) {
          // one pane at a time: the list is gone, a back control returns to it
          expect(await list.isVisible()).toBe(false);
          const phone = await phoneProblems(page);
          expect(phone).toEqual({ small: [], overflow: 0 });
          await page.getByRole('button', { name: L.back }).click();
          await list.waitFor();
          expect(await page.getByRole('log').count()).toBe(0);
          expect(await phoneProblems(page)).toEqual({ small: [], overflow: 0 });
        } else {
          // the list on the inline-start side: left in English, right in Arabic
          const nav = (await list.boundingBox())!;
          const main = (await log.boundingBox())!;
          expect(lang === 'ar' ? nav.x > main.x : nav.x < main.x).toBe(true);
        }
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }

  it('axe-core: no serious or critical violation on sign-in, the list and a conversation', async () => {
    const { page, context } = await newClient(browser, t.url);
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const found: Record<string, unknown> = { signIn: await axe(page) };
    // visible focus: the keyboard's focus draws the focus ring
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      const style = (globalThis as any).getComputedStyle(el);
      return { tag: el.tagName, style: style.outlineStyle, width: style.outlineWidth };
    });
    expect(ring.tag).not.toBe('BODY');
    expect(ring).toMatchObject({ style: 'solid', width: '3px' });
    await page.getByRole('textbox', { name: 'Email' }).fill(amira.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Conversations' }).getByRole('link').first().waitFor();
    await connected(page);
    found.list = await axe(page);
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: 'Sam Carter' })
      .click();
    await messages(page).getByText('Got it').waitFor();
    found.conversation = await axe(page);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    await page.locator('html[dir="rtl"]').waitFor();
    found.conversationArabic = await axe(page);
    process.stdout.write(`axe-core serious/critical violations: ${JSON.stringify(found)}\n`);
    expect(found).toEqual({ signIn: [], list: [], conversation: [], conversationArabic: [] });
    await context.close();
  });
});
