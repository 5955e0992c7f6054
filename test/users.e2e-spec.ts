import { randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { expectErrorBody, expectValidationError } from './support/error-body';
import { auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const PUBLIC_USER_KEYS = ['avatarUrl', 'displayName', 'id', 'locale', 'verificationStatus'];
const DEFAULT_SETTINGS = {
  allowMessagesFrom: 'verified_only',
  emailNotifications: true,
  pushNotifications: true,
  soundNotifications: true,
  autoAcceptGroupInvites: false,
};

/** A random run of lowercase letters, so each test's search matches only its own users. */
const letters = (n: number): string =>
  Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(
    '',
  );

/**
 * Follows `nextCursor` from the first page of a `limit=1` list to the last, checking that every
 * page holds at most one item, and returns the item ids in the order served.
 */
async function allPages(page: (cursor: string | null) => Test): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 50; n++) {
    const res: Response = await page(cursor).expect(200);
    const body = res.body as { items: { id: string }[]; nextCursor: string | null };
    expect(body.items.length).toBeLessThanOrEqual(1);
    seen.push(...body.items.map((item) => item.id));
    if (body.nextCursor === null) return seen;
    expect(body.nextCursor).toEqual(expect.any(String));
    cursor = body.nextCursor;
  }
  throw new Error('the list did not end within 50 pages');
}

const cursorOf = (position: unknown): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

describe('users', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const me = (user: TestUser) => t.http().get(`${API}/users/me`).set(auth(user.token));
  const patchMe = (user: TestUser, body: unknown) =>
    t
      .http()
      .patch(`${API}/users/me`)
      .set(auth(user.token))
      .send(body as object);

  /** Sends a refused PATCH /users/me and checks that the user reads back exactly as before. */
  async function expectPatchRefused(user: TestUser, body: unknown, fields: string[]) {
    const before = (await me(user).expect(200)).body;
    expectValidationError(await patchMe(user, body), fields);
    expect((await me(user).expect(200)).body).toEqual(before);
  }

  describe('GET /users/me', () => {
    it('answers the caller as a User', async () => {
      const email = `Me-${randomUUID()}@Test.Local`;
      const user = await createUser(t, { email, displayName: 'Maya', verified: false });
      const res = await me(user).expect(200);
      expect(res.body).toEqual({
        id: user.id,
        email: email.toLowerCase(),
        displayName: 'Maya',
        avatarUrl: null,
        locale: 'en',
        role: 'user',
        verificationStatus: 'unverified',
        suspended: false,
        createdAt: expect.stringMatching(ISO_MS),
      });
    });
  });

  describe('PATCH /users/me', () => {
    it('trims displayName, answers the updated User and keeps it', async () => {
      const user = await createUser(t);
      const res = await patchMe(user, { displayName: '   Nour Haddad  ' }).expect(200);
      expect(res.body).toMatchObject({ id: user.id, displayName: 'Nour Haddad' });
      expect((await me(user).expect(200)).body).toEqual(res.body);
    });

    it('accepts a displayName of exactly 80 characters after trimming', async () => {
      const user = await createUser(t);
      const name = 'n'.repeat(80);
      const res = await patchMe(user, { displayName: `  ${name}  ` }).expect(200);
      expect(res.body.displayName).toBe(name);
    });

    it('refuses a displayName of 81 characters and changes nothing', async () => {
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: 'n'.repeat(81) }, ['displayName']);
    });

    it('refuses an empty or whitespace-only displayName and changes nothing', async () => {
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: '' }, ['displayName']);
      await expectPatchRefused(user, { displayName: '   \t ' }, ['displayName']);
    });

    it('refuses a displayName over 80 characters made of emoji with variation selectors', async () => {
      // '❤️' is two code points (and two UTF-16 units), so this is 160 characters long.
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: '❤️'.repeat(80) }, ['displayName']);
    });

    it('sets avatarUrl to an http or https URL and clears it with null', async () => {
      const user = await createUser(t);
      for (const url of ['https://cdn.example.com/a.png', 'http://example.org/b.jpg?x=1']) {
        const res = await patchMe(user, { avatarUrl: url }).expect(200);
        expect(res.body.avatarUrl).toBe(url);
      }
      const cleared = await patchMe(user, { avatarUrl: null }).expect(200);
      expect(cleared.body.avatarUrl).toBeNull();
      expect((await me(user).expect(200)).body.avatarUrl).toBeNull();
    });

    it('refuses an avatarUrl that is not an http(s) URL and changes nothing', async () => {
      const user = await createUser(t);
      await patchMe(user, { avatarUrl: 'https://cdn.example.com/keep.png' }).expect(200);
      for (const avatarUrl of [
        'ftp://example.com/a.png',
        'javascript:alert(1)',
        'not a url',
        'example.com/a.png',
        `https://example.com/${'a'.repeat(2100)}`,
      ]) {
        await expectPatchRefused(user, { avatarUrl }, ['avatarUrl']);
      }
    });

    it('switches locale between en and ar and refuses any other', async () => {
      const user = await createUser(t);
      expect((await patchMe(user, { locale: 'ar' }).expect(200)).body.locale).toBe('ar');
      expect((await patchMe(user, { locale: 'en' }).expect(200)).body.locale).toBe('en');
      await expectPatchRefused(user, { locale: 'fr' }, ['locale']);
    });

    it('rejects unknown fields, naming them, and changes nothing', async () => {
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: 'Sneaky', role: 'admin' }, ['role']);
      await expectPatchRefused(user, { email: 'other@test.local' }, ['email']);
      await expectPatchRefused(user, { verificationStatus: 'verified', suspended: true }, [
        'verificationStatus',
        'suspended',
      ]);
    });

    it('rejects wrong types, naming each field, and changes nothing', async () => {
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: 42, avatarUrl: 7, locale: ['en'] }, [
        'displayName',
        'avatarUrl',
        'locale',
      ]);
      await expectPatchRefused(user, { displayName: { first: 'A' } }, ['displayName']);
      await expectPatchRefused(user, { avatarUrl: true }, ['avatarUrl']);
    });

    it('rejects null for displayName and locale, which cannot be cleared', async () => {
      const user = await createUser(t);
      await expectPatchRefused(user, { displayName: null }, ['displayName']);
      await expectPatchRefused(user, { locale: null }, ['locale']);
    });

    it('refuses a body that is a JSON array', async () => {
      const user = await createUser(t);
      const before = (await me(user).expect(200)).body;
      expectErrorBody(await patchMe(user, [{ displayName: 'X' }]), 400, 'VALIDATION_FAILED');
      expect((await me(user).expect(200)).body).toEqual(before);
    });

    it('leaves the user as it was on an empty body', async () => {
      const user = await createUser(t);
      const before = (await me(user).expect(200)).body;
      expect((await patchMe(user, {}).expect(200)).body).toEqual(before);
    });
  });

  describe('GET /users/:id', () => {
    it('answers exactly the PublicUser fields, without email', async () => {
      const caller = await createUser(t);
      const other = await createUser(t, { displayName: 'Omar', locale: 'ar' });
      const res = await t
        .http()
        .get(`${API}/users/${other.id}`)
        .set(auth(caller.token))
        .expect(200);
      expect(res.body).toEqual({
        id: other.id,
        displayName: 'Omar',
        avatarUrl: null,
        locale: 'ar',
        verificationStatus: 'verified',
      });
      expect(Object.keys(res.body).sort()).toEqual(PUBLIC_USER_KEYS);
      expect(JSON.stringify(res.body)).not.toContain(other.email);
    });

    it('answers 404 NOT_FOUND for an unknown id', async () => {
      const caller = await createUser(t);
      const res = await t.http().get(`${API}/users/${randomUUID()}`).set(auth(caller.token));
      expectErrorBody(res, 404, 'NOT_FOUND');
    });

    it('answers 400 VALIDATION_FAILED naming id for a malformed id', async () => {
      const caller = await createUser(t);
      for (const bad of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        const res = await t.http().get(`${API}/users/${bad}`).set(auth(caller.token));
        expectValidationError(res, ['id']);
      }
    });
  });

  describe('GET /users?query=', () => {
    /** A small world for one search: matches, non-matches and the caller, all under `prefix`. */
    async function searchWorld() {
      const prefix = `q${letters(7)}`;
      const caller = await createUser(t, { displayName: `${capitalize(prefix)} Caller` });
      const byName = [
        await createUser(t, { displayName: `${capitalize(prefix)} Alpha` }),
        await createUser(t, { displayName: `${prefix.toUpperCase()} Beta` }),
        await createUser(t, { displayName: `${prefix} gamma` }),
      ];
      const byEmail = await createUser(t, {
        displayName: 'Mail Only',
        email: `${prefix}.mail-${randomUUID()}@test.local`,
      });
      const unverified = await createUser(t, {
        displayName: `${prefix} Unverified`,
        verified: false,
      });
      const notPrefix = await createUser(t, { displayName: `Mid ${prefix}` });
      return {
        prefix,
        caller,
        matches: [...byName, byEmail],
        others: [caller, unverified, notPrefix],
      };
    }

    const search = (caller: TestUser, query: Record<string, string | number>) =>
      t.http().get(`${API}/users`).query(query).set(auth(caller.token));

    it('finds verified users by display-name or email prefix, excluding the caller', async () => {
      const w = await searchWorld();
      const res = await search(w.caller, { query: w.prefix }).expect(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((u: { id: string }) => u.id).sort()).toEqual(
        w.matches.map((u) => u.id).sort(),
      );
      for (const item of res.body.items) {
        expect(Object.keys(item).sort()).toEqual(PUBLIC_USER_KEYS);
        expect(item.verificationStatus).toBe('verified');
      }
    });

    it('matches case-insensitively', async () => {
      const w = await searchWorld();
      const ids = async (query: string) =>
        (await search(w.caller, { query }).expect(200)).body.items
          .map((u: { id: string }) => u.id)
          .sort();
      const expected = w.matches.map((u) => u.id).sort();
      expect(await ids(w.prefix.toUpperCase())).toEqual(expected);
      expect(await ids(capitalize(w.prefix))).toEqual(expected);
    });

    it('trims the query before matching', async () => {
      const w = await searchWorld();
      const res = await search(w.caller, { query: `  ${w.prefix}  ` }).expect(200);
      expect(res.body.items).toHaveLength(w.matches.length);
    });

    it('treats % and _ in the query literally', async () => {
      const caller = await createUser(t);
      for (const query of ['%%', '__', '_%', '\\%']) {
        const res = await search(caller, { query }).expect(200);
        expect(res.body.items).toEqual([]);
      }
    });

    it('pages with limit=1 and cursor, returning each match exactly once', async () => {
      const w = await searchWorld();
      const seen = await allPages((cursor) =>
        search(w.caller, { query: w.prefix, limit: 1, ...(cursor ? { cursor } : {}) }),
      );
      expect(seen).toHaveLength(w.matches.length);
      expect([...seen].sort()).toEqual(w.matches.map((u) => u.id).sort());
    });

    it('refuses a missing query or one shorter than 2 characters', async () => {
      const caller = await createUser(t);
      for (const query of ['a', '']) {
        expectValidationError(await search(caller, { query }), ['query']);
      }
      expectValidationError(await search(caller, {}), ['query']);
    });

    it('refuses a query that is shorter than 2 characters once trimmed', async () => {
      const caller = await createUser(t);
      expectValidationError(await search(caller, { query: '  b  ' }), ['query']);
    });

    it('refuses limit 0 and limit 101', async () => {
      const caller = await createUser(t);
      for (const limit of [0, 101]) {
        expectValidationError(await search(caller, { query: 'us', limit }), ['limit']);
      }
    });

    it('refuses a cursor that is not one it issued', async () => {
      const caller = await createUser(t);
      for (const cursor of ['garbage', '!!!', cursorOf([1, 2]), cursorOf('x')]) {
        expectValidationError(await search(caller, { query: 'us', cursor }), ['cursor']);
      }
    });

    it('refuses a well-formed cursor carrying values of the wrong type with 400, not 500', async () => {
      const caller = await createUser(t);
      const cursor = cursorOf({ name: 'a', id: 'not-a-uuid' });
      expectValidationError(await search(caller, { query: 'us', cursor }), ['cursor']);
    });

    it('rejects unknown query parameters', async () => {
      const caller = await createUser(t);
      expectValidationError(await search(caller, { query: 'us', sort: 'name' }), ['sort']);
    });
  });

  describe('message settings', () => {
    const getSettings = (user: TestUser) =>
      t.http().get(`${API}/users/me/message-settings`).set(auth(user.token));
    const patchSettings = (user: TestUser, body: object) =>
      t.http().patch(`${API}/users/me/message-settings`).set(auth(user.token)).send(body);

    async function expectSettingsRefused(user: TestUser, body: object, fields: string[]) {
      const before = (await getSettings(user).expect(200)).body;
      expectValidationError(await patchSettings(user, body), fields);
      expect((await getSettings(user).expect(200)).body).toEqual(before);
    }

    it('starts with verified_only, email, push and sound on, auto-accept off', async () => {
      const user = await createUser(t, { verified: false });
      expect((await getSettings(user).expect(200)).body).toEqual(DEFAULT_SETTINGS);
    });

    it('updates only the fields sent', async () => {
      const user = await createUser(t);
      const first = await patchSettings(user, { allowMessagesFrom: 'anyone' }).expect(200);
      expect(first.body).toEqual({ ...DEFAULT_SETTINGS, allowMessagesFrom: 'anyone' });
      const second = await patchSettings(user, {
        soundNotifications: false,
        autoAcceptGroupInvites: true,
      }).expect(200);
      const expected = {
        ...DEFAULT_SETTINGS,
        allowMessagesFrom: 'anyone',
        soundNotifications: false,
        autoAcceptGroupInvites: true,
      };
      expect(second.body).toEqual(expected);
      expect((await getSettings(user).expect(200)).body).toEqual(expected);
    });

    it('accepts each allowMessagesFrom value', async () => {
      const user = await createUser(t);
      for (const value of ['anyone', 'connections_only', 'verified_only']) {
        const res = await patchSettings(user, { allowMessagesFrom: value }).expect(200);
        expect(res.body.allowMessagesFrom).toBe(value);
      }
    });

    it('refuses an unknown allowMessagesFrom and changes nothing', async () => {
      const user = await createUser(t);
      await expectSettingsRefused(
        user,
        { allowMessagesFrom: 'everyone', pushNotifications: false },
        ['allowMessagesFrom'],
      );
    });

    it('refuses non-boolean flags and unknown fields and changes nothing', async () => {
      const user = await createUser(t);
      await expectSettingsRefused(user, { emailNotifications: 'false' }, ['emailNotifications']);
      await expectSettingsRefused(user, { pushNotifications: 0 }, ['pushNotifications']);
      await expectSettingsRefused(user, { vibrate: true }, ['vibrate']);
    });

    it('refuses null for a setting with 400 and changes nothing', async () => {
      const user = await createUser(t);
      await expectSettingsRefused(user, { allowMessagesFrom: null }, ['allowMessagesFrom']);
      await expectSettingsRefused(user, { emailNotifications: null }, ['emailNotifications']);
    });
  });

  describe('blocks', () => {
    const block = (caller: TestUser, id: string) =>
      t.http().post(`${API}/users/${id}/block`).set(auth(caller.token));
    const unblock = (caller: TestUser, id: string) =>
      t.http().delete(`${API}/users/${id}/block`).set(auth(caller.token));
    const blocks = (caller: TestUser, query: Record<string, string | number> = {}) =>
      t.http().get(`${API}/users/me/blocks`).query(query).set(auth(caller.token));
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((u) => u.id);

    it('blocks with 204, twice, and lists the user once', async () => {
      const caller = await createUser(t);
      const other = await createUser(t, { displayName: 'Blocked Bob' });
      for (let i = 0; i < 2; i++) {
        const res = await block(caller, other.id).expect(204);
        expect(res.text).toBe('');
      }
      const list = await blocks(caller).expect(200);
      expect(list.body).toEqual({
        items: [
          {
            id: other.id,
            displayName: 'Blocked Bob',
            avatarUrl: null,
            locale: 'en',
            verificationStatus: 'verified',
          },
        ],
        nextCursor: null,
      });
    });

    it('unblocks with 204, twice, and the user is gone from the list', async () => {
      const caller = await createUser(t);
      const kept = await createUser(t);
      const released = await createUser(t);
      await block(caller, kept.id).expect(204);
      await block(caller, released.id).expect(204);
      for (let i = 0; i < 2; i++) await unblock(caller, released.id).expect(204);
      expect(ids(await blocks(caller).expect(200))).toEqual([kept.id]);
    });

    it('answers 204 to unblocking a user who was never blocked', async () => {
      const caller = await createUser(t);
      const other = await createUser(t);
      await unblock(caller, other.id).expect(204);
      expect(ids(await blocks(caller).expect(200))).toEqual([]);
    });

    it('lists blocked users newest first', async () => {
      const caller = await createUser(t);
      const users = [await createUser(t), await createUser(t), await createUser(t)];
      for (const u of users) await block(caller, u.id).expect(204);
      expect(ids(await blocks(caller).expect(200))).toEqual(users.map((u) => u.id).reverse());
    });

    it('pages the block list with limit=1 and cursor, each user exactly once, newest first', async () => {
      const caller = await createUser(t);
      const users = [await createUser(t), await createUser(t), await createUser(t)];
      for (const u of users) await block(caller, u.id).expect(204);
      const seen = await allPages((cursor) =>
        blocks(caller, { limit: 1, ...(cursor ? { cursor } : {}) }),
      );
      expect(seen).toEqual(users.map((u) => u.id).reverse());
    });

    it('keeps each caller’s block list to their own blocks', async () => {
      const a = await createUser(t);
      const b = await createUser(t);
      const target = await createUser(t);
      await block(a, target.id).expect(204);
      expect(ids(await blocks(b).expect(200))).toEqual([]);
    });

    it('answers 404 NOT_FOUND to blocking or unblocking an unknown user', async () => {
      const caller = await createUser(t);
      const id = randomUUID();
      expectErrorBody(await block(caller, id), 404, 'NOT_FOUND');
      expectErrorBody(await unblock(caller, id), 404, 'NOT_FOUND');
      expect(ids(await blocks(caller).expect(200))).toEqual([]);
    });

    it('refuses blocking yourself with 400 VALIDATION_FAILED', async () => {
      const caller = await createUser(t);
      expectErrorBody(await block(caller, caller.id), 400, 'VALIDATION_FAILED');
      expect(ids(await blocks(caller).expect(200))).toEqual([]);
    });

    it('answers 400 for a malformed id', async () => {
      const caller = await createUser(t);
      expectValidationError(await block(caller, 'nope'), ['id']);
      expectValidationError(await unblock(caller, 'nope'), ['id']);
    });

    it('refuses limit 0, limit 101 and a garbage cursor on the block list', async () => {
      const caller = await createUser(t);
      expectValidationError(await blocks(caller, { limit: 0 }), ['limit']);
      expectValidationError(await blocks(caller, { limit: 101 }), ['limit']);
      expectValidationError(await blocks(caller, { cursor: 'garbage' }), ['cursor']);
    });

    it('refuses a well-formed block-list cursor carrying values of the wrong type with 400, not 500', async () => {
      const caller = await createUser(t);
      const cursor = cursorOf({ at: 'yesterday', id: 'not-a-uuid' });
      expectValidationError(await blocks(caller, { cursor }), ['cursor']);
    });
  });
});

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
