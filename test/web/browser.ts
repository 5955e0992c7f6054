import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WEB_DIST_DIR } from '../../src/web/web-client';
import type { TestUser } from '../support/factories';

/** Debian's Chromium (`apt-get install chromium`); `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const HAVE_CLIENT = existsSync(join(WEB_DIST_DIR, 'index.html'));

/** Screenshots of the browser tests, kept as artifacts (gitignored). */
export const ARTIFACTS = join(__dirname, '..', '..', 'artifacts', 'web');

/**
 * `describe` when the browser tests can run, else a skipped block that says why: CI installs
 * Chromium (.ci/run), a developer machine may not have it.
 */
export function describeBrowser(name: string, fn: () => void): void {
  const off = process.env.BROWSER_TESTS === 'off';
  if (HAVE_CHROMIUM && HAVE_CLIENT && !off) return describe(name, fn);
  const why = off
    ? 'BROWSER_TESTS=off (CI runs them in its embedded pass)'
    : !HAVE_CHROMIUM
      ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`
      : `no built client at ${WEB_DIST_DIR} (npm run build)`;
  process.stdout.write(`skipping browser tests "${name}": ${why}\n`);
  describe.skip(`${name} (skipped: ${why})`, fn);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      // a page whose response the test rewrote (to add the CSP) counts as public, and Local
      // Network Access would then refuse its socket to 127.0.0.1
      '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets',
    ],
  });
}

/**
 * A strict Content-Security-Policy on the page, like the service's helmet policy: no inline
 * script, no eval, styles from files only. Violations are collected and must stay empty.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface Client {
  context: BrowserContext;
  page: Page;
  /** CSP violations and page errors seen so far */
  problems: string[];
}

export async function newClient(
  browser: Browser,
  url: string,
  opts: { width?: number; height?: number; locale?: string } = {},
): Promise<Client> {
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: opts.locale ?? 'en-US',
  });
  const problems: string[] = [];
  await context.route(
    (u) => u.pathname === '/' || u.pathname.startsWith('/c/'),
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
      });
    },
  );
  const page = await context.newPage();
  watch(page, problems);
  return { context, page, problems };
}

export function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content.Security.Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
}

export async function signIn(page: Page, user: { email: string }, password = 'password-123') {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor({ state: 'attached' });
  await connected(page);
}

/** The socket is up: no connection banner. */
export async function connected(page: Page): Promise<void> {
  await page.getByRole('status', { name: /Offline|غير متصل/ }).waitFor({ state: 'detached' });
}

export async function openConversation(page: Page, title: string): Promise<void> {
  await page
    .getByRole('list', { name: 'Conversations' })
    .getByRole('link', { name: title, exact: true })
    .click();
  await page.getByRole('log', { name: 'Messages' }).waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

export function messages(page: Page) {
  return page.getByRole('log', { name: 'Messages' });
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Runs axe-core in the page; the serious and critical violations, by rule. */
export async function axe(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<any> } }).axe.run;
    const r = await run({ resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return (result as { id: string; impact: string; nodes: number }[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

export type { TestUser };
