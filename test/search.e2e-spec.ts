import { randomUUID } from 'node:crypto';
import {
  diacritised,
  ENGLISH,
  englishForms,
  PROCLITICS,
  withProclitic,
  WORDS,
} from './fixtures/search/arabic-clitics';
import { chat } from './support/chat';
import { createUser, TestUser } from './support/factories';
import { expectValidationError } from './support/error-body';
import { call, createJoiningUsers, expectError } from './support/matrix';
import { validateOpenApi } from './support/openapi-validator';
import { startTestApp, TestApp } from './support/test-app';

interface Hit {
  message: Record<string, any> & { id: string; content: string };
  conversationId: string;
  conversationTitle: string | null;
  snippet: string;
  rank: number;
}

interface HitPage {
  items: Hit[];
  nextCursor: string | null;
}

describe('message search', () => {
  let t: TestApp;
  let c: ReturnType<typeof chat>;
  let a: TestUser;
  let b: TestUser;
  let d: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    c = chat(t);
    [a, b, d] = await createJoiningUsers(t, 3);
  });
  afterAll(() => t.close());

  const searchPath = (query: Record<string, string | number>) =>
    `/messages/search?${new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString()}`;
  const searchRaw = (user: TestUser, query: Record<string, string | number>) =>
    call(t, user, { method: 'get', path: searchPath(query) });
  const search = async (
    user: TestUser,
    q: string,
    extra: Record<string, string | number> = {},
  ): Promise<HitPage> => (await searchRaw(user, { q, ...extra }).expect(200)).body as HitPage;
  const ids = (page: HitPage) => page.items.map((h) => h.message.id);
  /** A direct conversation of a and b of its own, so a test's hits are only its own. */
  const freshDirect = async (x: TestUser = a, y: TestUser = b) =>
    (await c.direct(x, y, `search-${randomUUID()}`)).id;
  /** Sends each text into a fresh conversation; answers the conversation and the message ids. */
  const seed = async (...contents: string[]) => {
    const conversationId = await freshDirect();
    const sent: string[] = [];
    for (const content of contents) sent.push((await c.send(a, conversationId, content)).id);
    return { conversationId, sent };
  };
  const findsIn = async (conversationId: string, q: string, user: TestUser = a) =>
    ids(await search(user, q, { conversationId }));

  describe('answers', () => {
    it('lists hits as {message, conversationId, conversationTitle, snippet, rank}', async () => {
      const { conversationId, sent } = await seed('The quarterly report is ready');
      const page = await search(a, 'quarterly report', { conversationId });
      expect(page).toEqual({
        items: [
          {
            message: expect.objectContaining({
              id: sent[0],
              conversationId,
              senderId: a.id,
              sender: expect.objectContaining({ id: a.id, displayName: a.displayName }),
              type: 'text',
              content: 'The quarterly report is ready',
              language: 'en',
              isDeleted: false,
              reactions: [],
              attachments: [],
            }),
            conversationId,
            conversationTitle: b.displayName,
            snippet: 'The <mark>quarterly</mark> <mark>report</mark> is ready',
            rank: expect.any(Number),
          },
        ],
        nextCursor: null,
      });
      expect(page.items[0].rank).toBeGreaterThan(0);
    });

    it("titles a direct conversation with the other participant's name, a group with its title", async () => {
      const group = await c.group(a, [b], `Crew ${randomUUID().slice(0, 8)}`);
      await c.send(b, group.id, 'wombat sighting in the group');
      const direct = await freshDirect();
      await c.send(b, direct, 'wombat sighting in private');
      const byConversation = (page: HitPage) =>
        Object.fromEntries(page.items.map((h) => [h.conversationId, h.conversationTitle]));
      expect(byConversation(await search(a, 'wombat'))).toEqual({
        [group.id]: group.title,
        [direct]: b.displayName,
      });
      expect(byConversation(await search(b, 'wombat'))).toEqual({
        [group.id]: group.title,
        [direct]: a.displayName,
      });
    });

    it('finds a message as soon as its send is answered, over REST POST /messages too', async () => {
      const word = `xq${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      const sent = await call(t, a, {
        method: 'post',
        path: '/messages',
        body: { recipientId: d.id, content: `note ${word}` },
      }).expect(201);
      expect(ids(await search(a, word))).toEqual([sent.body.id]);
      expect(ids(await search(d, word))).toEqual([sent.body.id]);
    });

    it('marks hits and HTML-escapes everything else in the snippet', async () => {
      const { conversationId } = await seed(`Use <b>bold</b> & "quotes" for the o'clock title`);
      const [hit] = (await search(a, 'bold', { conversationId })).items;
      expect(hit.snippet).toBe(
        'Use &lt;b&gt;<mark>bold</mark>&lt;/b&gt; &amp; &quot;quotes&quot; for the o&#39;clock title',
      );
      expect(hit.message.content).toBe(`Use <b>bold</b> & "quotes" for the o'clock title`);
    });

    it('marks the word as written, with its prefix and diacritics, when found through normalisation', async () => {
      const { conversationId } = await seed('ذهبنا والمَكْتَبَة مغلقة اليوم');
      const [hit] = (await search(a, 'المكتبه', { conversationId })).items;
      expect(hit.snippet).toBe('ذهبنا <mark>والمَكْتَبَة</mark> مغلقة اليوم');
    });

    it('cuts a long message around the hit', async () => {
      const filler = (n: number) => Array.from({ length: n }, (_, i) => `filler${i}`).join(' ');
      const { conversationId } = await seed(`${filler(40)} platypus ${filler(40)}`);
      const [hit] = (await search(a, 'platypus', { conversationId })).items;
      expect(hit.snippet).toMatch(/^… .*<mark>platypus<\/mark>.* …$/);
      expect(hit.snippet.split(' ').length).toBeLessThanOrEqual(32);
    });
  });

  describe('Arabic', () => {
    // [stored text, query]: each pair must find the message, whichever side has the variant.
    const matrix: [string, string, string][] = [
      ['harakat in the message', 'ذهبت إلى المَكْتَبَةِ اليوم', 'المكتبة'],
      ['harakat in the query', 'ذهبت إلى المكتبة اليوم', 'المَكْتَبَة'],
      ['shadda and tanween', 'شكراً جزيلاً على المساعدة', 'شكرا'],
      ['tatweel in the message', 'الاجتمـــاع غدا', 'الاجتماع'],
      ['tatweel in the query', 'الاجتماع غدا', 'الاجتمــاع'],
      ['alef with hamza above', 'أحمد وصل', 'احمد'],
      ['alef with hamza below', 'إسلام وصل', 'اسلام'],
      ['alef with madda', 'آمنة وصلت', 'امنة'],
      ['hamza forms in the query', 'احمد وصل', 'أحمد'],
      ['alef wasla', 'ٱلرحمة', 'الرحمة'],
      ['alef maqsura in the message', 'ذهب إلى المستشفى', 'مستشفي'],
      ['yeh in the message', 'ذهب إلى المستشفي', 'المستشفى'],
      ['teh marbuta in the message', 'المدرسة مغلقة', 'مدرسه'],
      ['heh for teh marbuta in the message', 'المدرسه مغلقه', 'المدرسة'],
      ['the definite article ال', 'المكتبة مفتوحة', 'مكتبة'],
      ['and the وال', 'الكتب والمكتبة', 'مكتبة'],
      ['with the بال', 'التقينا بالمكتبة', 'مكتبة'],
      ['query with ال, message with وال', 'الكتب والمكتبة', 'المكتبة'],
      ['query with وال, message bare', 'مكتبة جديدة', 'والمكتبة'],
      ['query with ب, message with وال', 'والبيت كبير', 'ببيت'],
      ['query with لل, message bare', 'لحم طازج', 'للحم'],
      ['a phrase of words with proclitics', 'ذهبنا بالسيارة الجديدة أمس', '"والسيارة الجديدة"'],
      ['a word whose first letter is also a proclitic', 'البطاقة في الدرج', 'بطاقة'],
      ['Arabic-Indic digits in the message', 'الغرفة رقم ٣٠٤', '304'],
      ['Arabic-Indic digits in the query', 'room 304 is free', '٣٠٤'],
      ['Persian digits in the query', 'الغرفة رقم 304', '۳۰۴'],
      ['superscript alef', 'بسم الله الرحمٰن', 'الرحمن'],
      ['Quranic marks', 'الرحمن الرحيمۖ ذلك الكتابۚ', 'الرحيم'],
      ['presentation forms', 'ﺍﻟﺴﻼﻡ عليكم', 'السلام'],
      ['zero-width characters inside a word', 'مك\u200cتبة\u200f جديدة', 'مكتبة'],
    ];

    it.each(matrix)('finds through %s', async (_case, content, q) => {
      const { conversationId, sent } = await seed(content, 'رسالة أخرى لا علاقة لها');
      expect(await findsIn(conversationId, q)).toEqual([sent[0]]);
    });

    it('does not find a word that is not there', async () => {
      const { conversationId } = await seed('ذهبت إلى المكتبة اليوم');
      expect(await findsIn(conversationId, 'المستشفى')).toEqual([]);
    });

    it('keeps a first letter that is also a proclitic when the word has the article or a haraka says so', async () => {
      // البطاقة (the card) is not ال + ب + طاقة (energy); بَ with fatha is not the preposition بِ
      const { conversationId, sent } = await seed('البطاقة في الدرج', 'الطاقة الشمسية');
      expect(await findsIn(conversationId, 'طاقة')).toEqual([sent[1]]);
      // written bare, بطاقة may be ب + طاقة ("with energy"): both
      expect((await findsIn(conversationId, 'بطاقة')).sort()).toEqual([...sent].sort());
      expect(await findsIn(conversationId, 'بَطاقة')).toEqual([sent[0]]);
      expect(await findsIn(conversationId, 'الطاقة -البطاقة')).toEqual([sent[1]]);
    });

    it('stems plurals and attached pronouns', async () => {
      const { conversationId, sent } = await seed('هذه كتبهم', 'المعلمون في الفصل');
      expect(await findsIn(conversationId, 'المعلم')).toEqual([sent[1]]);
    });
  });

  describe('Arabic clitics: recall and precision (issue 16)', () => {
    type Kind = 'bare' | 'diacritised' | 'clitic';
    interface Form {
      word: string;
      kind: Kind;
      text: string;
    }
    const arabicForms = (word: string): Form[] => [
      { word, kind: 'bare', text: word },
      { word, kind: 'diacritised', text: diacritised(word) },
      ...PROCLITICS.map((p): Form => ({ word, kind: 'clitic', text: withProclitic(p, word) })),
    ];
    const englishFormsOf = (word: string): Form[] =>
      englishForms(word).map((text) => ({ word, kind: 'bare', text }));

    /** `task` over every item, eight at a time; the answers in the items' order. */
    const inBatches = async <T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> => {
      const answers: R[] = [];
      for (let at = 0; at < items.length; at += 8)
        answers.push(...(await Promise.all(items.slice(at, at + 8).map(task))));
      return answers;
    };

    /**
     * Sends every form of every word as a message of its own into a fresh conversation, then
     * searches it for every form of every word. Precision: the share of hits that are a form of
     * the query's word (a written form may be a form of two words: بحر is "sea", or ب + حر);
     * recall: per kind of query and kind of message, the share of the word's messages found.
     */
    const measure = async (words: string[], forms: (word: string) => Form[]) => {
      const conversationId = await freshDirect();
      const all = words.flatMap(forms);
      const ids = await inBatches(all, async (f) => (await c.send(a, conversationId, f.text)).id);
      const wordsOf = new Map<string, Set<string>>();
      for (const f of all) wordsOf.set(f.text, (wordsOf.get(f.text) ?? new Set()).add(f.word));
      const found = await inBatches(
        all,
        async (q) => new Set(await findsIn(conversationId, q.text)),
      );
      let right = 0;
      let hits = 0;
      const recall = new Map<string, [number, number]>();
      const missed: string[] = [];
      const wrongBy = new Map<string, number>();
      const missedWords = new Set<string>();
      all.forEach((query, k) => {
        for (const id of found[k]) {
          hits++;
          if (wordsOf.get(all[ids.indexOf(id)].text)!.has(query.word)) right++;
          else {
            const pair = `${query.word}→${all[ids.indexOf(id)].word}`;
            wrongBy.set(pair, (wrongBy.get(pair) ?? 0) + 1);
          }
        }
        all.forEach((message, m) => {
          if (message.word !== query.word) return;
          const key = `query ${query.kind}, message ${message.kind}`;
          const [ok, n] = recall.get(key) ?? [0, 0];
          recall.set(key, [ok + (found[k].has(ids[m]) ? 1 : 0), n + 1]);
          if (found[k].has(ids[m])) return;
          missed.push(`${query.text} ✗ ${message.text}`);
          missedWords.add(query.word);
        });
      });
      process.stdout.write(
        `precision ${((100 * right) / hits).toFixed(1)}% (${hits - right} wrong of ${hits})\n${[
          ...recall,
        ]
          .map(([key, [ok, n]]) => `  recall ${key}: ${((100 * ok) / n).toFixed(1)}% (${ok}/${n})`)
          .join('\n')}\n  wrong: ${[...wrongBy].join(' ')}\n  missed: ${missed.join(', ')}\n`,
      );
      const share = (key: string) => recall.get(key)![0] / recall.get(key)![1];
      return {
        precision: right / hits,
        share,
        /** "x→y": a search for x found messages of y */
        confused: [...wrongBy.keys()].sort(),
        missedWords: [...missedWords].sort(),
      };
    };

    it('finds every word bare, with harakat and with proclitics, on either side, and nothing else', async () => {
      const m = await measure(WORDS, arabicForms);
      for (const q of ['bare', 'diacritised'])
        for (const msg of ['bare', 'diacritised'])
          expect(m.share(`query ${q}, message ${msg}`)).toBe(1);
      // before issue 16: 63.5% of the clitic forms found by a bare query, 58.7% the other way
      for (const key of [
        'query bare, message clitic',
        'query diacritised, message clitic',
        'query clitic, message bare',
        'query clitic, message diacritised',
        'query clitic, message clitic',
      ])
        expect(m.share(key)).toBeGreaterThanOrEqual(0.9);
      // what is missed: two-letter words behind a one-letter clitic (وحر، بحظ), which stay
      // whole so that بحر (sea) is not ب + حر (hot)
      expect(m.missedWords).toEqual(['حر', 'حظ']);
      // the words confused are those the stemmer confused before, no other: forms that are
      // written alike (بطاقة is a card, and ب + طاقة; لحظ is ل + حظ, and لحظة's stem), and
      // no longer one word's every form for the other's (البطاقة is not ال + ب + طاقة)
      expect(m.confused).toEqual(['بطاقة→طاقة', 'حر→بحر', 'حظ→لحظة', 'طاقة→بطاقة', 'لحظة→حظ']);
      // 94.4% before issue 16 (with the recall above 63.5% / 58.7%); 87.9% when every word lost
      // its proclitic-like first letters (migration 1764001300000); 94.9% with the readings
      expect(m.precision).toBeGreaterThanOrEqual(0.944);
    }, 120_000);

    it('leaves English as it was: every form found, nothing else', async () => {
      const m = await measure(ENGLISH, englishFormsOf);
      expect(m.share('query bare, message bare')).toBe(1);
      expect(m.precision).toBe(1);
    }, 60_000);
  });

  describe('English', () => {
    it.each([
      ['a plural', 'cat'],
      ['-ing', 'run'],
      ['-ed', 'jump'],
      ['the query inflected', 'jumping cats'],
    ])('stems %s', async (_case, q) => {
      const { conversationId, sent } = await seed('The cats were running and jumped', 'unrelated');
      expect(await findsIn(conversationId, q)).toEqual([sent[0]]);
    });

    it('finds regardless of case', async () => {
      const { conversationId, sent } = await seed('Budget REVIEW on Monday');
      expect(await findsIn(conversationId, 'budget review')).toEqual([sent[0]]);
    });

    it('needs every word of the query', async () => {
      const { conversationId, sent } = await seed('red apples', 'green apples', 'red pears');
      expect(await findsIn(conversationId, 'red apple')).toEqual([sent[0]]);
    });

    it('matches a quoted phrase only with its words in order', async () => {
      const { conversationId, sent } = await seed(
        'the meeting tomorrow morning',
        'tomorrow we have a meeting',
      );
      expect(await findsIn(conversationId, '"meeting tomorrow"')).toEqual([sent[0]]);
      expect((await findsIn(conversationId, 'meeting tomorrow')).sort()).toEqual([...sent].sort());
    });

    it('excludes -words and takes either side of or', async () => {
      const { conversationId, sent } = await seed('red apples', 'green apples', 'blue pears');
      expect(await findsIn(conversationId, 'apples -green')).toEqual([sent[0]]);
      expect((await findsIn(conversationId, 'green or pears')).sort()).toEqual(
        [sent[1], sent[2]].sort(),
      );
    });

    it('answers an empty list for a query of stop words only', async () => {
      const { conversationId } = await seed('the cat and the hat', 'of the people');
      expect(await findsIn(conversationId, 'the and of')).toEqual([]);
    });
  });

  describe('mixed Arabic and English', () => {
    it.each([
      ['an Arabic message', 'اجتماع في المكتبة about the budgets'],
      ['an English message', 'Meeting about the budgets in the big hall, المكتبة'],
    ])('finds %s by either part, and by both', async (_case, content) => {
      const { conversationId, sent } = await seed(content, 'something else entirely');
      for (const q of ['مكتبة', 'budget', 'budget المكتبة', '"the budgets"'])
        expect(await findsIn(conversationId, q)).toEqual([sent[0]]);
    });
  });

  describe('any input', () => {
    it.each([
      `' OR 1=1`,
      `' OR '1'='1' --`,
      '&|!',
      '<script>',
      `'); DROP TABLE messages; --`,
      'a & b | !c <-> d',
      'foo:* bar:A',
      '\\\\ \\',
      '((( )))',
      '"unbalanced',
      '- -',
      '%_%',
      '\ud800 lone surrogate',
    ])('answers 200 with a list for %j', async (q) => {
      const res = await searchRaw(a, { q });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
    });

    it('refuses a NUL character in q with 400 naming it, like every other field', async () => {
      const res = await searchRaw(a, { q: '\u0000x' });
      expect(res.status).toBe(400);
      expect(res.body.details).toHaveProperty('q');
    });

    it('stores and finds the letter ء as a word of its own (the proclitic guard is the same letter)', async () => {
      // it failed to store (and a query holding it to run) when the guard left an empty lexeme
      const { conversationId, sent } = await seed('حرف ء في الأبجدية', 'حرف ب في الأبجدية');
      expect(await findsIn(conversationId, 'حرف ء')).toEqual([sent[0]]);
      expect(await findsIn(conversationId, '"ء في"')).toEqual([sent[0]]);
    });

    it('finds text that looks like markup, escaped in the snippet', async () => {
      const { conversationId, sent } = await seed('look: <script>alert(1)</script>');
      const page = await search(a, '<script>', { conversationId });
      expect(ids(page)).toEqual([sent[0]]);
      expect(page.items[0].snippet).toBe(
        'look: &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;',
      );
    });
  });

  describe('keeping up with changes', () => {
    it('finds an edited message by its new words only', async () => {
      const { conversationId, sent } = await seed('apple pie tonight');
      await call(t, a, {
        method: 'patch',
        path: `/conversations/${conversationId}/messages/${sent[0]}`,
        body: { content: 'banana bread tonight' },
      }).expect(200);
      expect(await findsIn(conversationId, 'apple')).toEqual([]);
      const page = await search(a, 'banana', { conversationId });
      expect(ids(page)).toEqual([sent[0]]);
      expect(page.items[0].message).toMatchObject({
        content: 'banana bread tonight',
        isEdited: true,
      });
    });

    it('never finds a deleted message, for anyone', async () => {
      const { conversationId, sent } = await seed('cherry tart recipe', 'cherry jam recipe');
      await call(t, a, {
        method: 'delete',
        path: `/conversations/${conversationId}/messages/${sent[0]}`,
      }).expect(204);
      expect(await findsIn(conversationId, 'cherry', a)).toEqual([sent[1]]);
      expect(await findsIn(conversationId, 'cherry', b)).toEqual([sent[1]]);
    });

    it('does not find system messages', async () => {
      const title = `Quokka${randomUUID().slice(0, 8)}`;
      const group = await c.group(a, [b], title);
      await call(t, a, {
        method: 'patch',
        path: `/conversations/${group.id}`,
        body: { title: `${title} renamed` },
      }).expect(200);
      expect(await findsIn(group.id, title)).toEqual([]);
      expect(await findsIn(group.id, 'created')).toEqual([]);
    });
  });

  describe('privacy', () => {
    it('never shows an outsider anything, and 404s their conversationId filter', async () => {
      const outsider = await createUser(t);
      const { conversationId } = await seed('secret ocelot plans');
      expect(await search(outsider, 'ocelot')).toEqual({ items: [], nextCursor: null });
      expectError(await searchRaw(outsider, { q: 'ocelot', conversationId }), 404, 'NOT_FOUND');
    });

    it('answers 404 for a conversation that does not exist', async () => {
      expectError(
        await searchRaw(a, { q: 'anything', conversationId: randomUUID() }),
        404,
        'NOT_FOUND',
      );
    });

    it('shows a removed member nothing of the conversation any more', async () => {
      const [admin, member] = await createJoiningUsers(t, 2);
      const group = await c.group(admin, [member], 'Leavers');
      const before = await c.send(admin, group.id, 'narwhal before the removal');
      expect(ids(await search(member, 'narwhal'))).toEqual([before.id]);
      await call(t, admin, {
        method: 'delete',
        path: `/conversations/${group.id}/participants/${member.id}`,
      }).expect(204);
      await c.send(admin, group.id, 'narwhal after the removal');
      expect(await search(member, 'narwhal')).toEqual({ items: [], nextCursor: null });
      expectError(
        await searchRaw(member, { q: 'narwhal', conversationId: group.id }),
        404,
        'NOT_FOUND',
      );
    });

    it('shows an invited member nothing until they accept, then only what follows', async () => {
      const [admin] = await createJoiningUsers(t, 1);
      const invitee = await createUser(t); // autoAcceptGroupInvites is false by default
      const group = await c.group(admin, [invitee], 'Invites');
      await c.send(admin, group.id, 'axolotl before accepting');
      expect(await search(invitee, 'axolotl')).toEqual({ items: [], nextCursor: null });
      expectError(
        await searchRaw(invitee, { q: 'axolotl', conversationId: group.id }),
        404,
        'NOT_FOUND',
      );
      await call(t, invitee, {
        method: 'post',
        path: `/conversations/${group.id}/invitation/accept`,
      }).expect(200);
      const after = await c.send(admin, group.id, 'axolotl after accepting');
      expect(ids(await search(invitee, 'axolotl'))).toEqual([after.id]);
    });

    it('shows a member who joined later only the messages from their joining on', async () => {
      const [admin, early, late] = await createJoiningUsers(t, 3);
      const group = await c.group(admin, [early], 'Latecomers');
      await c.send(admin, group.id, 'pangolin before joining');
      await call(t, admin, {
        method: 'post',
        path: `/conversations/${group.id}/participants`,
        body: { userIds: [late.id] },
      }).expect(200);
      const after = await c.send(admin, group.id, 'pangolin after joining');
      expect(ids(await search(late, 'pangolin'))).toEqual([after.id]);
      expect(ids(await search(early, 'pangolin'))).toHaveLength(2);
    });

    it('hides history the caller deleted for themself, and only from them', async () => {
      const conversationId = await freshDirect();
      const old = await c.send(a, conversationId, 'manatee old news');
      await call(t, b, { method: 'delete', path: `/conversations/${conversationId}` }).expect(204);
      expect(await findsIn(conversationId, 'manatee', b)).toEqual([]);
      expect(await findsIn(conversationId, 'manatee', a)).toEqual([old.id]);
      const fresh = await c.send(a, conversationId, 'manatee fresh news');
      expect(await findsIn(conversationId, 'manatee', b)).toEqual([fresh.id]);
    });

    it('hides history the caller deleted for themself from a search across all their conversations', async () => {
      const conversationId = await freshDirect();
      const old = await c.send(a, conversationId, 'dugong old news');
      await call(t, b, { method: 'delete', path: `/conversations/${conversationId}` }).expect(204);
      expect(await search(b, 'dugong')).toEqual({ items: [], nextCursor: null });
      expect(ids(await search(a, 'dugong'))).toEqual([old.id]);
      const fresh = await c.send(a, conversationId, 'dugong fresh news');
      expect(ids(await search(b, 'dugong'))).toEqual([fresh.id]);
    });

    it('never returns messages of an e2e conversation', async () => {
      const res = await call(t, a, {
        method: 'post',
        path: '/conversations',
        body: { type: 'group', participantIds: [b.id], title: 'Sealed', encryption: 'e2e' },
      }).expect(201);
      const ciphertext = Buffer.from('hello sealed world').toString('base64');
      await c.send(a, res.body.id as string, ciphertext);
      for (const q of [ciphertext, ciphertext.slice(0, 12), 'sealed'])
        expect(await search(a, q)).toEqual({ items: [], nextCursor: null });
      expect(await search(a, ciphertext, { conversationId: res.body.id as string })).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('never returns messages of an at_rest conversation', async () => {
      const res = await call(t, a, {
        method: 'post',
        path: '/conversations',
        body: { type: 'group', participantIds: [b.id], title: 'Vault', encryption: 'at_rest' },
      }).expect(201);
      await c.send(a, res.body.id as string, 'capybara in the vault');
      expect(await search(a, 'capybara')).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('order and paging', () => {
    it('orders by rank, then newest first', async () => {
      const { conversationId, sent } = await seed(
        'kiwi once',
        'kiwi kiwi kiwi and more kiwi',
        'kiwi once',
      );
      const page = await search(a, 'kiwi', { conversationId });
      expect(ids(page)).toEqual([sent[1], sent[2], sent[0]]);
      expect(page.items[0].rank).toBeGreaterThan(page.items[1].rank);
      expect(page.items[1].rank).toBe(page.items[2].rank);
    });

    it('pages with the cursor through every hit exactly once, in order', async () => {
      const contents = Array.from(
        { length: 11 },
        (_, i) => Array.from({ length: (i % 3) + 1 }, () => 'lynx').join(' ') + ` number ${i}`,
      );
      const { conversationId, sent } = await seed(...contents);
      const all = ids(await search(a, 'lynx', { conversationId, limit: 100 }));
      expect([...all].sort()).toEqual([...sent].sort());
      const paged: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page: HitPage = await search(a, 'lynx', {
          conversationId,
          limit: 3,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(3);
        paged.push(...ids(page));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(paged).toEqual(all);
    });

    it("pages across all the caller's conversations through every hit exactly once, in order", async () => {
      const sent: string[] = [];
      for (let k = 0; k < 3; k++) {
        const contents = Array.from(
          { length: 4 },
          (_, i) =>
            Array.from({ length: ((i + k) % 3) + 1 }, () => 'quokka').join(' ') + ` ${k}-${i}`,
        );
        sent.push(...(await seed(...contents)).sent);
      }
      const first = await search(a, 'quokka', { limit: 100 });
      const all = ids(first);
      expect([...all].sort()).toEqual([...sent].sort());
      first.items.slice(1).forEach((hit, i) => {
        const before = first.items[i];
        expect(hit.rank).toBeLessThanOrEqual(before.rank);
        if (hit.rank === before.rank)
          expect(Date.parse(hit.message.createdAt as string)).toBeLessThanOrEqual(
            Date.parse(before.message.createdAt as string),
          );
      });
      const paged: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page: HitPage = await search(a, 'quokka', {
          limit: 5,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(5);
        paged.push(...ids(page));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(paged).toEqual(all);
    });

    it('defaults to 50 hits a page', async () => {
      const { conversationId } = await seed(...Array.from({ length: 51 }, (_, i) => `gecko ${i}`));
      const page = await search(a, 'gecko', { conversationId });
      expect(page.items).toHaveLength(50);
      expect(page.nextCursor).toEqual(expect.any(String));
      const rest = await search(a, 'gecko', { conversationId, cursor: page.nextCursor! });
      expect(rest).toMatchObject({ items: [expect.anything()], nextCursor: null });
    });
  });

  describe('bad input', () => {
    it.each([
      ['q missing', {}, ['q']],
      ['q of 1 character', { q: 'a' }, ['q']],
      ['q of 1 character once trimmed', { q: '  a  ' }, ['q']],
      ['q of 201 characters', { q: 'x'.repeat(201) }, ['q']],
      ['limit 0', { q: 'hello', limit: 0 }, ['limit']],
      ['limit 101', { q: 'hello', limit: 101 }, ['limit']],
      ['limit not a number', { q: 'hello', limit: 'ten' }, ['limit']],
      ['a garbled cursor', { q: 'hello', cursor: 'not-a-cursor' }, ['cursor']],
      [
        'a forged cursor',
        {
          q: 'hello',
          cursor: Buffer.from(
            JSON.stringify({ r: '1; DROP TABLE messages', t: '1', id: randomUUID() }),
          ).toString('base64url'),
        },
        ['cursor'],
      ],
      [
        'a malformed conversationId',
        { q: 'hello', conversationId: 'not-a-uuid' },
        ['conversationId'],
      ],
      ['an unknown field', { q: 'hello', sort: 'date' }, ['sort']],
    ])('answers 400 for %s', async (_case, query: Record<string, string | number>, fields) => {
      expectValidationError(await searchRaw(a, query), fields);
    });

    it('accepts q of exactly 2 and 200 characters', async () => {
      await searchRaw(a, { q: 'ab' }).expect(200);
      await searchRaw(a, { q: 'y'.repeat(200) }).expect(200);
    });

    it('answers 401 without a token', async () => {
      expectError(await t.http().get('/api/v1/messages/search?q=hello'), 401, 'UNAUTHORIZED');
    });
  });

  it('is documented in a valid OpenAPI document', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters: { name: string }[] }>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    await expect(validateOpenApi(doc)).resolves.toBeUndefined();
    const op = doc.paths['/api/v1/messages/search'].get;
    expect(op.parameters.map((p) => p.name).sort()).toEqual(
      ['conversationId', 'cursor', 'limit', 'q'].sort(),
    );
    expect(doc.components.schemas.SearchHitDto.required?.sort()).toEqual(
      ['conversationId', 'conversationTitle', 'message', 'rank', 'snippet'].sort(),
    );
  });
});
