// Issue 7 benchmark: full-text search (GET /messages/search) across all of a user's conversations
// and within one, against a PostgreSQL server seeded with BENCH_SEARCH_MESSAGES messages (mixed
// English and Arabic, 20–300 characters, words drawn from a vocabulary with a Zipf-like spread
// of frequencies) over BENCH_SEARCH_CONVERSATIONS conversations, one measured user in
// BENCH_SEARCH_USER_CONVERSATIONS of them and the rest between other users.
//
// Server time is measured as time to first byte over HTTP on loopback (the service renders the
// whole JSON body before it writes the headers), with the load generator on the same machine.
//
// By default every run seeds a fresh database and drops it at the end. BENCH_SEARCH_KEEP_DB=name
// keeps the seeded database as bench_search_keep_<name> and, on later runs with the same name,
// measures on it again without seeding (migrations added since then run as the service starts),
// so that queries can be iterated on with psql; drop it by hand when done.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { URL, pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  API,
  PG_ADMIN_URL,
  ROOT,
  connectDb,
  createDatabase,
  createUsers,
  intEnv,
  isMain,
  log,
  loginAdmin,
  ms,
  must,
  performance,
  printTable,
  reportProblems,
  request,
  runStandalone,
  startApp,
  summarize,
} from './lib.mjs';

const MESSAGES = intEnv('BENCH_SEARCH_MESSAGES', 1_000_000);
const CONVERSATIONS = intEnv('BENCH_SEARCH_CONVERSATIONS', 10_000);
const USER_CONVERSATIONS = intEnv('BENCH_SEARCH_USER_CONVERSATIONS', 200);
// The measured user and the others; with the defaults every user is in about 200 conversations.
const USERS = intEnv('BENCH_SEARCH_USERS', 100);
// Measured requests per scope (across all conversations, within one), after WARMUP unmeasured.
const REQUESTS = intEnv('BENCH_SEARCH_REQUESTS', 400);
const WARMUP = intEnv('BENCH_SEARCH_WARMUP', 32);
const SEED_CHUNK = intEnv('BENCH_SEARCH_SEED_CHUNK', 50_000);
// `trigger` (default): the search trigger computes search_vector, as for any insert of the
// service. `function`: the INSERT computes it with the migration's search_document() while the
// trigger is off inside that transaction. Measured on 20,000 messages: the same vectors, and the
// same time within noise (about 2.0 s either way, of which search_document is about 1.3 s and the
// GIN index about 0.4 s), so the default is the path the service itself takes.
const SEED_MODE = process.env.BENCH_SEARCH_SEED_MODE || 'trigger';
// The whole benchmark gives up (and cleans up) after this long.
const MAX_MINUTES = intEnv('BENCH_SEARCH_MAX_MINUTES', 45);
const KEEP_DB = process.env.BENCH_SEARCH_KEEP_DB || '';
const REQUEST_TIMEOUT_MS = 30_000;
const SHARE_ARABIC = 0.45; // of messages; the rest are English
const MIXED = 0.15; // share of messages that mix in words of the other language
const SWITCH = 0.25; // share of the words of such a message taken from the other language
const TAIL = 0.15; // share of words taken from the long tail (names, places, rare words)
const TAIL_WORDS = 30_000; // per language
const SECONDS_APART = 15; // between consecutive messages (1,000,000 span about 6 months)
const PAGE = 50; // the service's default page; it asks the database for one more
const GOAL_P95 = 50;

// ---------------------------------------------------------------------------------------------
// Vocabulary: real words in rough order of frequency in chat (rank 1 first; each is drawn with a
// probability about proportional to 1/rank), then a long tail of generated words, also 1/rank.
// Every word has at least two characters (the seeding SQL relies on it).

const EN_WORDS = `
the you to and it is for me in my of that we on can have be this your will do not with are at so
what just ok if thanks tomorrow yes no but know get there how all was when good about like up
send please time one now from order need see would or as here want they our did by he she them
then go back sure price still could work done also new day week make think well great hello hi
much more call delivery address today again right after before really very any some only other
first last next thing things way where who why which because maybe already soon later tonight
morning evening afternoon available payment invoice meeting office home car apartment rent
contract document photo picture file message reply question answer problem help team project
client customer account bank transfer cash card receipt discount offer deal size color black
white blue red green small large medium box package shipping courier store shop market street
city airport hotel room booking ticket flight train bus taxi driver lunch dinner coffee tea water
food restaurant kitchen table chair sofa bed laptop screen battery charger cable keyboard printer
camera watch shoes shirt dress jacket bag book library school university class teacher student
exam course lesson doctor hospital clinic pharmacy medicine appointment schedule calendar minutes
hours early late weekend month year holiday vacation trip family friend brother sister mother
father wife husband kids baby birthday party wedding gift congratulations sorry fine busy free
ready waiting arrived coming going leaving check confirm cancel change update fix repair install
clean paint build buy sell pay cost cheap expensive quality brand model used condition warranty
return refund exchange monday tuesday wednesday thursday friday saturday sunday january february
march april june july august september october november december umbrella garden balcony
elevator parking neighbor plumber electrician carpenter furniture mattress curtain blanket pillow
towel fridge oven microwave washer dryer heater fan window door key lock gate fence roof floor
wall ceiling stairs basement garage ladder hammer drill screwdriver bucket broom mirror lamp bulb
socket plug switch router modem signal network antenna speaker headphones microphone tablet
sticker envelope stamp parcel tracking customs voucher coupon membership subscription insurance
mortgage salary bonus budget estimate quote deposit installment penalty deadline signature`;

const AR_WORDS = `
في من على إلى أن ما لا هذا مع عن أنا انت هو هي نحن شكرا نعم تمام طيب كل بعد قبل الآن اليوم بكرة
ممكن لو يعني هل أو لكن بس جدا مرحبا السلام عليكم الطلب صباح الخير مساء كيف حالك الحمد لله وين
متى ليش كم السعر أين ماذا لماذا كثير شوي قليل هنا هناك التوصيل العنوان الموعد الدفع الفاتورة غدا
أمس الأسبوع الشهر السنة الساعة دقيقة دقائق ساعات لاحقا قريبا الليلة الصبح المساء الظهر المكتب
البيت السيارة الشقة الإيجار العقد الصورة الملف الرسالة الرد السؤال المشكلة المساعدة الفريق المشروع
العميل الحساب البنك التحويل نقدا البطاقة الإيصال الخصم العرض المقاس اللون أسود أبيض أزرق أحمر
أخضر صغير كبير متوسط الصندوق الشحن المندوب المحل السوق الشارع المدينة المطار الفندق الغرفة الحجز
التذكرة الرحلة القطار الباص التاكسي السائق الغداء العشاء قهوة شاي ماء الأكل المطعم المطبخ الطاولة
الكرسي الكنبة السرير اللابتوب الشاشة البطارية الشاحن الكابل الطابعة الكاميرا الحذاء القميص
الفستان الجاكيت الشنطة الكتاب المكتبة المدرسة الجامعة الصف المعلم الطالب الامتحان الدورة الدرس
الطبيب المستشفى العيادة الصيدلية الدواء الجدول بدري متأخر العطلة الإجازة العائلة صديقي أخي أختي
أمي أبي زوجتي زوجي الأولاد عيد ميلاد حفلة عرس هدية مبروك آسف مشغول جاهز أنتظر وصلت وصل جاي رايح
تأكيد إلغاء تغيير تحديث تصليح تركيب تنظيف شراء بيع غالي رخيص الجودة الماركة مستعمل جديد الضمان
استرجاع استبدال الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت يناير فبراير مارس أبريل مايو
يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر المظلة الحديقة الشرفة المصعد الموقف الجيران السباك
الكهربائي النجار الأثاث المرتبة الستارة البطانية المخدة المنشفة الثلاجة الفرن المايكرويف الغسالة
المجفف السخان المروحة النافذة الباب المفتاح القفل البوابة السور السطح الأرضية الجدار السقف الدرج
القبو الكراج السلم المطرقة المثقاب المفك الدلو المكنسة المرآة المصباح اللمبة المقبس القابس الراوتر
المودم الإشارة الشبكة السماعة الميكروفون التابلت الملصق الظرف الطابع الطرد التتبع الجمارك القسيمة
الكوبون العضوية الاشتراك التأمين القرض الراتب المكافأة الميزانية التقدير الوديعة القسط الغرامة
التوقيع`;

/** Common queries: words of the head of the lists above (checked), and one of two words each. */
const COMMON_QUERIES = {
  en: ['tomorrow', 'order', 'price', 'delivery address'],
  ar: ['بكرة', 'الطلب', 'السعر', 'موعد التوصيل'],
};
// Long-tail ranks tried as rare queries; the ones whose match counts come closest to RARE_TARGET
// are used (RARE_PER_LANGUAGE per language).
const RARE_CANDIDATE_RANKS = [250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000, 24000];
const RARE_PER_LANGUAGE = 4;
const RARE_TARGET = Math.max(2, Math.round(MESSAGES * 3e-5)); // 30 messages in 1,000,000

const words = (text) => [...new Set(text.split(/\s+/).filter(Boolean))];

/** mulberry32: a small seeded generator, so every run has the same tail words. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Made-up words for the long tail (like names, places, products): English-looking syllables,
 * and Arabic letters that Snowball's Arabic stemmer does not take for a prefix or suffix, so
 * that different tail words rarely share a stem.
 */
function tailWords(lang, count, taken) {
  const random = prng(lang === 'en' ? 7 : 11);
  const pick = (s) => s[Math.floor(random() * s.length)];
  const en = { c: 'bcdfghjklmnprtvwz', v: 'aeiou', end: 'bdgklmnprtvz' };
  const ar = {
    edge: [...'دذرزشصضطظعغقجحخث'],
    mid: [...'دذرزشصضطظعغقجحخثلرنمب'],
    v: [...'اوي'],
  };
  const out = [];
  const seen = new Set(taken);
  while (out.length < count) {
    let w = '';
    if (lang === 'en') {
      const syllables = 2 + Math.floor(random() * 2);
      for (let i = 0; i < syllables; i++) w += pick(en.c) + pick(en.v);
      w += pick(en.end);
    } else {
      w = pick(ar.edge);
      const inner = 1 + Math.floor(random() * 3);
      for (let i = 0; i < inner; i++) w += (random() < 0.4 ? pick(ar.v) : '') + pick(ar.mid);
      w += pick(ar.edge);
    }
    if (seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

function vocabulary() {
  const vocab = {};
  for (const [lang, text] of [
    ['en', EN_WORDS],
    ['ar', AR_WORDS],
  ]) {
    const head = words(text);
    const tail = tailWords(lang, TAIL_WORDS, head);
    for (const w of [...head, ...tail]) {
      if ([...w].length < 2) throw new Error(`vocabulary word "${w}" is shorter than 2 characters`);
    }
    for (const q of COMMON_QUERIES[lang]) {
      for (const w of q.split(' ')) {
        // موعد is found as الموعد: the article is what the Arabic stemmer strips
        if (!head.includes(w) && !head.includes(`ال${w}`))
          throw new Error(`common query word ${w} is not in the ${lang} vocabulary`);
      }
    }
    vocab[lang] = { head, tail };
  }
  return vocab;
}

// ---------------------------------------------------------------------------------------------
// The query: the service's own statement, from the build (`npm run build` first, as for the
// service itself), so that the plans explained are those of the query the service runs.

async function loadSearchStatement() {
  const built = join(ROOT, 'dist', 'src', 'search', 'search.repository.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
  const { searchStatement } = await import(pathToFileURL(built).href);
  if (typeof searchStatement !== 'function')
    throw new Error(`${built} exports no searchStatement; rebuild (npm run build)`);
  return searchStatement;
}

// ---------------------------------------------------------------------------------------------
// A kept database (BENCH_SEARCH_KEEP_DB)

/** What a kept database was seeded with; a run with other settings must not reuse it. */
const seedSettings = () => ({
  MESSAGES,
  CONVERSATIONS,
  USER_CONVERSATIONS,
  USERS,
  SHARE_ARABIC,
  MIXED,
  SWITCH,
  TAIL,
  TAIL_WORDS,
  SECONDS_APART,
});
const PASSWORD = 'password-123'; // as lib.mjs createUsers registers them

async function adminQuery(sql, params) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * The kept database of BENCH_SEARCH_KEEP_DB, created when missing (and then not dropped at the
 * end). `seeded` is what its last complete seeding recorded, or null for a new database; a
 * database left without that record by a failed seeding is refused rather than reused.
 */
async function keptDatabase(label) {
  if (!/^[a-z0-9_]{1,30}$/.test(label))
    throw new Error(`BENCH_SEARCH_KEEP_DB must be 1–30 of a-z, 0-9 and _, got ${label}`);
  const name = `bench_search_keep_${label}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const { rowCount } = await adminQuery(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
  if (rowCount === 0) {
    await adminQuery(`CREATE DATABASE ${name}`);
    log(`created database ${name}, kept after the run (BENCH_SEARCH_KEEP_DB)`);
    return { name, url: url.toString(), seeded: null };
  }
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT to_regclass('bench_keep.seeded') IS NOT NULL AS recorded`,
    );
    const seeded = rows[0].recorded
      ? (await client.query(`SELECT info FROM bench_keep.seeded`)).rows[0]?.info
      : null;
    if (!seeded) {
      throw new Error(
        `database ${name} exists but was not seeded completely; drop it (DROP DATABASE ${name}) and run again`,
      );
    }
    // jsonb keeps keys in its own order
    const canonical = (o) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (canonical(seeded.settings) !== canonical(seedSettings())) {
      throw new Error(
        `database ${name} was seeded with ${JSON.stringify(seeded.settings)}, not ${JSON.stringify(seedSettings())}`,
      );
    }
    log(`reusing database ${name}, seeded ${seeded.at} (BENCH_SEARCH_KEEP_DB)`);
    return { name, url: url.toString(), seeded };
  } finally {
    await client.end();
  }
}

/** Records a complete seeding in a kept database: the settings, the measured user and theirs. */
async function recordSeeding(db, me, mine) {
  const info = {
    at: new Date().toISOString(),
    settings: seedSettings(),
    me: { id: me.id, email: me.email },
    mine,
  };
  await db.query(`CREATE SCHEMA bench_keep`);
  await db.query(`CREATE TABLE bench_keep.seeded (info jsonb NOT NULL)`);
  await db.query(`INSERT INTO bench_keep.seeded (info) VALUES ($1)`, [JSON.stringify(info)]);
}

// ---------------------------------------------------------------------------------------------
// Seeding

let deadline = Infinity;
function checkDeadline(what) {
  if (Date.now() > deadline) {
    throw new Error(`search benchmark: over BENCH_SEARCH_MAX_MINUTES=${MAX_MINUTES} at ${what}`);
  }
}

const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);

/**
 * Conversations (direct, each with a context id so one pair can have many, as a marketplace has
 * one per listing): the measured user's are every `stride`-th, each with one of the other users;
 * the rest pair up the other users. Also a scratch table mapping each conversation's number to
 * its id and members, and the vocabulary, for the message INSERT to join.
 */
async function seedConversations(db, me, peers, vocab, base) {
  const started = performance.now();
  const stride = Math.floor(CONVERSATIONS / USER_CONVERSATIONS);
  await db.query(`CREATE SCHEMA bench_seed`);
  await db.query(`CREATE TABLE bench_seed.vocab (lang text, rank int, word text NOT NULL,
                                                 PRIMARY KEY (lang, rank))`);
  for (const lang of ['en', 'ar']) {
    await db.query(
      `INSERT INTO bench_seed.vocab (lang, rank, word)
       SELECT $1, r, w FROM unnest($2::text[]) WITH ORDINALITY AS t(w, r)`,
      [lang, [...vocab[lang].head, ...vocab[lang].tail]],
    );
  }
  await db.query(`CREATE TABLE bench_seed.conv (c int PRIMARY KEY, id uuid NOT NULL, a uuid NOT NULL,
                                                b uuid NOT NULL, mine boolean NOT NULL, n int NOT NULL)`);
  await db.query(
    `INSERT INTO bench_seed.conv (c, id, a, b, mine, n)
     SELECT c, gen_random_uuid(),
            CASE WHEN mine THEN $1::uuid ELSE ($2::uuid[])[1 + c % $3] END,
            CASE WHEN mine THEN ($2::uuid[])[1 + (c / $4) % $3]
                 ELSE ($2::uuid[])[1 + (c % $3 + 1 + (c / $3) % ($3 - 1)) % $3] END,
            mine,
            CASE WHEN c < $6 THEN ($6 - 1 - c) / $7 + 1 ELSE 0 END
       FROM (SELECT c, c % $4 = 0 AND c / $4 < $5 AS mine FROM generate_series(0, $7 - 1) AS c) AS x`,
    [
      me.id,
      peers.map((p) => p.id),
      peers.length,
      stride,
      USER_CONVERSATIONS,
      MESSAGES,
      CONVERSATIONS,
    ],
  );
  await db.query(`ANALYZE bench_seed.conv, bench_seed.vocab`);
  // The conversation's counters and times are those its messages will have (message g goes to
  // conversation g % CONVERSATIONS with seq g / CONVERSATIONS + 1).
  await db.query(
    `INSERT INTO conversations (id, type, context_id, created_by, direct_key, last_seq, last_version,
                                last_message_at, created_at, updated_at)
     SELECT id, 'direct', 'search:' || c, a,
            CASE WHEN a::text COLLATE "C" < b::text COLLATE "C" THEN a || ':' || b ELSE b || ':' || a END
              || ':search:' || c,
            n, n,
            CASE WHEN n > 0 THEN $1::timestamptz - ($2 - (c + (n - 1) * $3)) * $4 * interval '1 second' END,
            $1::timestamptz - ($2 * $4 + 86400) * interval '1 second', $1::timestamptz
       FROM bench_seed.conv
      ORDER BY c + (n - 1) * $3`,
    [base, MESSAGES, CONVERSATIONS, SECONDS_APART],
  );
  await db.query(
    `INSERT INTO conversation_participants (conversation_id, user_id, role, status, invited_at, joined_at,
                                            last_read_seq, last_delivered_seq)
     SELECT v.id, u.user_id, 'member', 'active', c.created_at, c.created_at, v.n, v.n
       FROM bench_seed.conv v JOIN conversations c ON c.id = v.id
       CROSS JOIN LATERAL (VALUES (v.a), (v.b)) AS u(user_id)`,
  );
  const { rows } = await db.query(`SELECT id FROM bench_seed.conv WHERE mine ORDER BY c LIMIT $1`, [
    USER_CONVERSATIONS,
  ]);
  return { mine: rows.map((r) => r.id), seconds: seconds(started) };
}

/** The trigger function still computes what seedMessages computes in `function` mode. */
async function triggerMatchesFunction(db) {
  const { rows } = await db.query(
    `SELECT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE t.tgrelid = 'messages'::regclass AND t.tgname = 'messages_search_vector'`,
  );
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  const expected = squash(`IF NEW.deleted_at IS NULL AND NEW.type <> 'system' AND EXISTS (
             SELECT 1 FROM conversations c WHERE c.id = NEW.conversation_id AND c.encryption = 'none')
        THEN
          NEW.search_vector := search_document(NEW.content, NEW.language);`);
  return rows.length === 1 && squash(rows[0].prosrc).includes(expected);
}

/**
 * Messages in chunks of SEED_CHUNK, each one INSERT … SELECT over generate_series: every message
 * picks its language (MIXED of them take SWITCH of their words from the other one), a target
 * length of 35–300 characters (skewed short; cut back to a whole word, so 20–300), and its words
 * from the vocabulary (1/rank within the head and within the tail). `trigger` mode leaves
 * search_vector to the trigger; `function` mode fills it with the migration's
 * search_document(content, language), which is what the trigger computes for these rows (text,
 * not deleted, unencrypted conversations: checked by triggerMatchesFunction), with the trigger
 * disabled inside the same transaction so that it does not compute it a second time.
 */
async function seedMessages(db, vocab, base, mode) {
  const started = performance.now();
  const functionMode = mode === 'function';
  const sql = `
    INSERT INTO messages (conversation_id, seq, version, sender_id, type, content, language, direction,
                          created_at${functionMode ? ', search_vector' : ''})
    SELECT v.id, t.g / $3 + 1, t.g / $3 + 1, CASE WHEN (t.g / $3) % 2 = 0 THEN v.a ELSE v.b END, 'text',
           t.content, t.lang, CASE WHEN t.content ~ '^[\\u0600-\\u06FF]' THEN 'rtl' ELSE 'ltr' END,
           $4::timestamptz - ($5 - t.g) * $6 * interval '1 second'
           ${functionMode ? ', search_document(t.content, t.lang)' : ''}
      FROM (
        SELECT w.g, w.lang,
               regexp_replace(left(string_agg(voc.word, ' ' ORDER BY w.i), w.target + 1), '\\s*\\S*$', '') AS content
          FROM (
            SELECT m.g, m.lang, m.target, i,
                   CASE WHEN m.mixed AND random() < $8::float8 THEN CASE m.lang WHEN 'en' THEN 'ar' ELSE 'en' END ELSE m.lang END AS wlang,
                   random() AS u1, random() AS u2
              FROM (SELECT g, CASE WHEN random() < $7::float8 THEN 'ar' ELSE 'en' END AS lang,
                           random() < $13::float8 AS mixed, 35 + floor(265 * random() ^ 2)::int AS target
                      FROM generate_series($1::int, $2::int) AS g) AS m,
                   generate_series(1, (m.target + 1) / 3 + 2) AS i
          ) AS w
          JOIN bench_seed.vocab voc
            ON voc.lang = w.wlang
           AND voc.rank = CASE
                 WHEN w.u1 < $9::float8 THEN CASE w.wlang WHEN 'en' THEN $10::int ELSE $11::int END
                                     + floor(exp(w.u2 * ln($12::int + 1)))::int
                 ELSE floor(exp(w.u2 * ln(CASE w.wlang WHEN 'en' THEN $10::int ELSE $11::int END + 1)))::int END
         GROUP BY w.g, w.lang, w.target
      ) AS t
      JOIN bench_seed.conv v ON v.c = t.g % $3`;
  await db.query(`SELECT setseed(0.42)`); // the same text every run
  for (let from = 0; from < MESSAGES; from += SEED_CHUNK) {
    checkDeadline('seeding');
    const to = Math.min(MESSAGES, from + SEED_CHUNK) - 1;
    const params = [
      from,
      to,
      CONVERSATIONS,
      base,
      MESSAGES,
      SECONDS_APART,
      SHARE_ARABIC,
      SWITCH,
      TAIL,
      vocab.en.head.length,
      vocab.ar.head.length,
      TAIL_WORDS,
      MIXED,
    ];
    await db.query('BEGIN');
    try {
      if (functionMode)
        await db.query(`ALTER TABLE messages DISABLE TRIGGER messages_search_vector`);
      await db.query(sql, params);
      if (functionMode)
        await db.query(`ALTER TABLE messages ENABLE TRIGGER messages_search_vector`);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK');
      throw err;
    }
    log(
      `  seeded ${(to + 1).toLocaleString('en')} / ${MESSAGES.toLocaleString('en')} messages (${seconds(started)} s)`,
    );
  }
  return seconds(started);
}

/** What was seeded: lengths, languages, and whether the vectors are what the trigger makes. */
async function checkSeed(db, mine) {
  const { rows: shape } = await db.query(
    `SELECT count(*)::int AS n, min(char_length(content)) AS min_len,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY char_length(content)) AS p50_len,
            max(char_length(content)) AS max_len, round(avg(char_length(content))) AS avg_len,
            round(100.0 * count(*) FILTER (WHERE language = 'ar') / count(*), 1) AS ar_pct,
            round(100.0 * count(*) FILTER (WHERE content ~ '[a-z]' AND content ~ '[\\u0600-\\u06FF]')
                  / count(*), 1) AS mixed_pct,
            count(*) FILTER (WHERE search_vector IS NULL)::int AS no_vector
       FROM messages`,
  );
  // The measured user's messages (the ones searched) plus a 1% sample of the rest.
  const { rows: vectors } = await db.query(
    `SELECT count(*)::int AS checked,
            count(*) FILTER (WHERE search_vector IS DISTINCT FROM search_document(content, language))::int AS wrong
       FROM (SELECT search_vector, content, language FROM messages WHERE conversation_id = ANY($1::uuid[])
             UNION ALL
             SELECT search_vector, content, language FROM messages TABLESAMPLE SYSTEM (1) REPEATABLE (7)) AS s`,
    [mine],
  );
  const { rows: trigger } = await db.query(
    `SELECT tgenabled FROM pg_trigger
      WHERE tgrelid = 'messages'::regclass AND tgname = 'messages_search_vector'`,
  );
  return { ...shape[0], ...vectors[0], triggerEnabled: trigger[0]?.tgenabled === 'O' };
}

// ---------------------------------------------------------------------------------------------
// Queries

async function countMatches(db, q, mine) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE conversation_id = ANY($2::uuid[]))::int AS mine
       FROM messages WHERE search_vector @@ search_query($1)`,
    [q, mine],
  );
  return rows[0];
}

/** The fixed common queries, and the rare ones: tail words whose counts are nearest the target. */
async function chooseQueries(db, vocab, mine) {
  const queries = [];
  for (const lang of ['en', 'ar']) {
    for (const text of COMMON_QUERIES[lang]) {
      queries.push({ text, lang, kind: 'common', ...(await countMatches(db, text, mine)) });
    }
    const candidates = [];
    for (const rank of RARE_CANDIDATE_RANKS.filter((r) => r <= TAIL_WORDS)) {
      const text = vocab[lang].tail[rank - 1];
      candidates.push({ text, lang, kind: 'rare', ...(await countMatches(db, text, mine)) });
    }
    const distance = (c) => Math.abs(Math.log((c.total + 0.5) / RARE_TARGET));
    candidates.sort((x, y) => distance(x) - distance(y));
    queries.push(...candidates.slice(0, RARE_PER_LANGUAGE));
  }
  return queries;
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer after ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * WARMUP + REQUESTS requests per scope, the two scopes alternating and the queries in turn (so a
 * change of machine load falls on all alike); within one conversation, the measured user's
 * conversations in turn. Every answer must be 200.
 */
async function measure(app, token, queries, mine) {
  const samples = { all: [], one: [] };
  const total = 2 * (WARMUP + REQUESTS);
  for (let i = 0; i < total; i++) {
    if (i % 50 === 0) checkDeadline('search requests');
    const scope = i % 2 === 0 ? 'all' : 'one';
    const n = Math.floor(i / 2);
    const q = queries[n % queries.length];
    const conversationId = mine[n % mine.length];
    const path =
      `${API}/messages/search?q=${encodeURIComponent(q.text)}` +
      (scope === 'one' ? `&conversationId=${conversationId}` : '');
    const res = await withTimeout(request(app.url, 'GET', path, { token }), `GET ${path}`);
    if (res.status !== 200 || !Array.isArray(res.body?.items)) {
      throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    if (n >= WARMUP) samples[scope].push({ q, ttfb: res.ttfb, hits: res.body.items.length });
  }
  return samples;
}

async function explain(db, title, sql, params) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  console.log(`\n-- EXPLAIN (ANALYZE, BUFFERS): ${title}`);
  console.log(plan);
  return plan;
}

function planVerdict(plan) {
  const gin = plan.includes('messages_search_idx');
  const seqScans = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
  const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
  return [
    gin ? 'GIN index messages_search_idx USED' : 'GIN index messages_search_idx NOT used',
    seqScans.length > 0 ? `seq scan on ${[...new Set(seqScans)].join(', ')}` : 'no seq scan',
    execution ? `execution ${execution} ms` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

const verdict = (value, goal) => (value <= goal ? 'ok' : 'MISSED');

/** p50/p95 over a set of samples (summarize gives p90/p99; p95 is asked for here). */
function stats(samples) {
  const s = summarize(samples.map((x) => x.ttfb));
  const sorted = samples.map((x) => x.ttfb).sort((a, b) => a - b);
  const p95 = sorted.length === 0 ? NaN : sorted[Math.ceil(0.95 * sorted.length) - 1];
  const hits = samples.reduce((a, x) => a + x.hits, 0) / Math.max(1, samples.length);
  return { ...s, p95, hits };
}

export async function search() {
  log(
    `search benchmark: ${MESSAGES.toLocaleString('en')} messages over ${CONVERSATIONS.toLocaleString('en')} ` +
      `conversations, ${USERS} users, the measured one in ${USER_CONVERSATIONS}; ` +
      `${REQUESTS} requests per scope; seeding mode ${SEED_MODE}; at most ${MAX_MINUTES} min`,
  );
  if (!['function', 'trigger'].includes(SEED_MODE))
    throw new Error(`BENCH_SEARCH_SEED_MODE must be function or trigger, got ${SEED_MODE}`);
  if (USERS < 3) throw new Error('BENCH_SEARCH_USERS must be at least 3');
  if (USER_CONVERSATIONS < 1 || USER_CONVERSATIONS > CONVERSATIONS)
    throw new Error('BENCH_SEARCH_USER_CONVERSATIONS must be between 1 and the conversations');
  deadline = Date.now() + MAX_MINUTES * 60_000;
  const searchStatement = await loadSearchStatement();
  const vocab = vocabulary();

  const kept = KEEP_DB ? await keptDatabase(KEEP_DB) : null;
  const database = kept ?? (await createDatabase('search'));
  const app = await startApp({ databaseUrl: database.url, label: 'service (search)' });
  const db = await connectDb(database.url);
  await db.query(`SET statement_timeout = '15min'`);
  await db.query(`SET maintenance_work_mem = '256MB'`);
  await db.query(`SET work_mem = '64MB'`); // the seeding's sorts, in memory (this session only)

  let me;
  let conv;
  if (kept?.seeded) {
    const login = await must(
      app.url,
      'POST',
      `${API}/auth/login`,
      { body: { email: kept.seeded.me.email, password: PASSWORD } },
      [200],
    );
    me = { ...kept.seeded.me, token: login.accessToken };
    conv = { mine: kept.seeded.mine };
  } else {
    const admin = await loginAdmin(app.url);
    let started = performance.now();
    const users = await createUsers(app.url, admin, USERS, 'search', 8);
    me = users[0];
    const peers = users.slice(1);
    log(`created ${USERS} users through the API in ${seconds(started)} s`);

    let mode = SEED_MODE;
    if (mode === 'function' && !(await triggerMatchesFunction(db))) {
      console.log(
        'WARNING: the messages_search_vector trigger no longer computes search_document(content, language) ' +
          'as bench/search.mjs expects; seeding through the trigger instead',
      );
      mode = 'trigger';
    }
    const base = new Date().toISOString();
    conv = await seedConversations(db, me, peers, vocab, base);
    log(
      `seeded ${CONVERSATIONS.toLocaleString('en')} conversations (${conv.mine.length} the measured user's) in ${conv.seconds} s`,
    );
    const seedSeconds = await seedMessages(db, vocab, base, mode);
    log(`seeded ${MESSAGES.toLocaleString('en')} messages (${mode} mode) in ${seedSeconds} s`);
    await db.query(`DROP SCHEMA bench_seed CASCADE`);
    started = performance.now();
    await db.query('VACUUM ANALYZE conversations, conversation_participants, messages, users');
    log(`VACUUM ANALYZE in ${seconds(started)} s`);
    if (kept) await recordSeeding(db, me, conv.mine);
  }
  const { rows: size } = await db.query(
    `SELECT pg_size_pretty(pg_table_size('messages')) AS heap,
            pg_size_pretty(pg_relation_size('messages_search_idx')) AS gin`,
  );

  checkDeadline('checks');
  let started = performance.now();
  const seed = await checkSeed(db, conv.mine);
  log(
    `checked the seed in ${seconds(started)} s: lengths ${seed.min_len}–${seed.max_len} (median ${seed.p50_len}, ` +
      `mean ${seed.avg_len}), ${seed.ar_pct}% Arabic, ${seed.mixed_pct}% with both scripts; ` +
      `${seed.checked.toLocaleString('en')} vectors recomputed, ${seed.wrong} differ; trigger ` +
      `${seed.triggerEnabled ? 'enabled' : 'NOT ENABLED'}`,
  );
  if (seed.wrong > 0 || seed.no_vector > 0 || !seed.triggerEnabled || seed.n !== MESSAGES) {
    throw new Error(`the seed is wrong: ${JSON.stringify(seed)}`);
  }

  started = performance.now();
  const queries = await chooseQueries(db, vocab, conv.mine);
  log(`chose ${queries.length} queries in ${seconds(started)} s`);
  printTable(
    `queries (matching messages: in the whole table / in the measured user's ${conv.mine.length} conversations)`,
    [
      ['query', 'language', 'kind', 'all messages', "user's"],
      ...queries.map((q) => [q.text, q.lang, q.kind, q.total, q.mine]),
    ],
  );

  log(`measuring: ${WARMUP} + ${REQUESTS} requests per scope, sequential`);
  started = performance.now();
  const samples = await measure(app, me.token, queries, conv.mine);
  log(`measured in ${seconds(started)} s`);

  const rareEn = queries.find((q) => q.kind === 'rare' && q.lang === 'en');
  const commonEn = queries.find((q) => q.kind === 'common' && q.lang === 'en');
  const commonAr = queries.find((q) => q.kind === 'common' && q.lang === 'ar');
  const one = conv.mine[0];
  const plans = [];
  for (const [title, q, conversationId] of [
    [`rare word "${rareEn.text}", all conversations`, rareEn, null],
    [`common word "${commonEn.text}", all conversations`, commonEn, null],
    [`common word "${commonAr.text}", all conversations`, commonAr, null],
    [`common word "${commonEn.text}", within one conversation`, commonEn, one],
  ]) {
    const { sql, params } = searchStatement({
      userId: me.id,
      q: q.text,
      conversationIds: conversationId ? [conversationId] : conv.mine,
      after: null,
      limit: PAGE + 1,
    });
    plans.push([title, await explain(db, title, sql, params)]);
  }

  const rows = [
    [
      'search (TTFB over loopback, ms)',
      'n',
      'hits/page',
      'p50',
      'p95',
      'p99',
      'max',
      'goal p95',
      '',
    ],
  ];
  const summary = [];
  for (const [scope, label] of [
    ['all', `across all ${conv.mine.length} of the user's conversations`],
    ['one', 'within one conversation (conversationId=)'],
  ]) {
    const s = stats(samples[scope]);
    const row = [label, s.n, s.hits.toFixed(1), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)];
    rows.push([...row, `≤ ${GOAL_P95}`, verdict(s.p95, GOAL_P95)]);
    summary.push([
      `search: ${label}`,
      `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} ms`,
      `p95 ≤ ${GOAL_P95} ms`,
      verdict(s.p95, GOAL_P95),
    ]);
    for (const kind of ['rare', 'common']) {
      for (const lang of ['en', 'ar']) {
        const k = stats(samples[scope].filter((x) => x.q.kind === kind && x.q.lang === lang));
        rows.push([
          `  ${kind} ${lang === 'en' ? 'English' : 'Arabic'}`,
          k.n,
          k.hits.toFixed(1),
          ms(k.p50),
          ms(k.p95),
          ms(k.p99),
          ms(k.max),
          '',
          '',
        ]);
      }
    }
  }
  printTable(
    `search benchmark — ${MESSAGES.toLocaleString('en')} messages (${size[0].heap} heap, GIN index ` +
      `${size[0].gin}) over ${CONVERSATIONS.toLocaleString('en')} conversations, the user in ` +
      `${conv.mine.length}; PostgreSQL server, 2 cores shared with the load generator`,
    rows,
  );
  console.log('plans:');
  for (const [title, plan] of plans) console.log(`  ${title}: ${planVerdict(plan)}`);
  reportProblems(app);
  await app.stop();
  return summary;
}

if (isMain(import.meta.url)) await runStandalone(search);
