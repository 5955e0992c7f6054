import { MigrationInterface, QueryRunner } from 'typeorm';

/** A letter of the Arabic script (as in the search migration). */
const L = String.raw`[\u0620-\u064A\u066E-\u06D3]`;
/** Where an Arabic word starts: the start of the text or anything but an Arabic letter. */
const START = String.raw`(^|[^\u0620-\u064A\u066E-\u06D3])`;
const NOT_L = String.raw`[^\u0620-\u064A\u066E-\u06D3]`;
const WAW_FA = String.raw`[\u0648\u0641]`; // و ف
const BA_LAM = String.raw`[\u0628\u0644]`; // ب ل
const ALEF_LAM = String.raw`\u0627\u0644`; // ال
const LAM = String.raw`\u0644`; // ل
const ALLAH_REST = String.raw`\u0644\u0647`; // له, as in الله
const TEH_MARBUTA = String.raw`\u0629`; // ة

/**
 * The stem a word keeps once its proclitics are off: at least three letters, not counting a
 * final ة (ة is the noun ending, which the stemmer strips: "لحظة" is not ل + "حظة").
 */
const STEM = String.raw`(?!${L}{2}${TEH_MARBUTA}(?:${NOT_L}|$))(${L}{3,})`;

/**
 * Arabic proclitics in search (issue 16): a word is found whether the message or the query
 * writes it bare or with و ف ب ك ل ال and their combinations (وبال، فلل، وب، ...).
 *
 * PostgreSQL's Snowball `arabic` stemmer strips some of them, depending on the word's length: it
 * leaves "لكتاب", turns "وبيت" into "وبي", and ignores وال / فال (the search migration added
 * those). Here `search_normalize` strips them itself, the same way on both sides, before the
 * stemmer sees the word:
 *
 * - the article with what may stand before it: (و|ف)(ب|ك)ال, when two letters or more remain
 *   (never in الله); (و|ف)لل (ل + ال) loses its first ل only, for the second may be the word's
 *   own: ل + اللحم is written للحم, and goes on as لحم;
 * - then the conjunction و / ف, and then the prepositions ب / ل, when the stem left has three
 *   letters or more, not counting a final ة. Shorter words keep their first letter: "بحر" (sea)
 *   is not ب + "حر" (hot), "ورد" (roses) not و + "رد" (reply). The stemmer makes the same
 *   choice for و, ف and ب (it strips them from words of four letters and more).
 *
 * Single ك ("like") is left to the stemmer (it strips كك and كال): taken off, "كتاب" would be
 * "تاب" and "كمال" "مال". Measured in test/search.e2e-spec.ts ("Arabic clitics").
 *
 * The stored vectors are rebuilt in bounded batches, and only those that change; the GIN index
 * on `messages.search_vector` stays as it is and is used as before.
 */
export class SearchArabicClitics1764001300000 implements MigrationInterface {
  name = 'SearchArabicClitics1764001300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(normalizeFunction({ clitics: CLITICS, first: false }));
    await rebuildVectors(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(normalizeFunction({ clitics: BEFORE, first: true }));
    await rebuildVectors(db);
  }
}

/** The proclitic steps of `search_normalize` (PL/pgSQL), after the final ه → ة. */
const CLITICS = `
        t := regexp_replace(t, '${START}${WAW_FA}?[\\u0628\\u0643]?${ALEF_LAM}(?!${ALLAH_REST}(?:${NOT_L}|$))(${L}{2,})', '\\1\\2', 'g');
        t := regexp_replace(t, '${START}${WAW_FA}?${LAM}(${LAM}${L}{2,})', '\\1\\2', 'g');
        t := regexp_replace(t, '${START}(${WAW_FA}{1,2}${BA_LAM}{0,2}|${BA_LAM}{1,2})${STEM}', '\\1\\3', 'g');`;

/** What the search migration did instead, before the final ه → ة: و / ف before ال only. */
const BEFORE = `
        t := regexp_replace(t, '${START}[\\u0648\\u0641](\\u0627\\u0644${L}{2})', '\\1\\2', 'g');`;

/**
 * `search_normalize` as the search migration made it, with its proclitic steps: `clitics`
 * before the final ه → ة (as it was) or after it (so that a stem's final ة is seen as such).
 */
function normalizeFunction({ clitics, first }: { clitics: string; first: boolean }): string {
  const IGNORED = String.raw`[\u064B-\u065F\u0670\u0640\u06D6-\u06ED\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]`;
  const FOLD_FROM = String.raw`\u0623\u0625\u0622\u0671\u0649\u06CC\u0624\u0626\u06A9\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9<>`;
  const FOLD_TO =
    String.raw`\u0627\u0627\u0627\u0627\u064A\u064A\u0648\u064A\u0643` + '01234567890123456789  ';
  const finalHeh = `
        t := regexp_replace(t, '\\u0647(?=${NOT_L}|$)', E'\\u0629', 'g');`;
  return `
      CREATE OR REPLACE FUNCTION search_normalize(body text) RETURNS text
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        t text := lower(normalize(body, NFKC));
      BEGIN
        t := regexp_replace(t, '${IGNORED}', '', 'g');
        t := translate(t, E'${FOLD_FROM}', E'${FOLD_TO}');${first ? clitics + finalHeh : finalHeh + clitics}
        RETURN t;
      END
      $$`;
}

/** Rows per statement while rebuilding: each batch is one short UPDATE. */
const BATCH = 2000;

/**
 * Recomputes `search_vector` of every searchable message, in batches of BATCH by id, writing
 * only the rows whose vector changes (Arabic with proclitics, mostly).
 */
async function rebuildVectors(db: QueryRunner): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const [batch] = (await db.query(
      `WITH batch AS (
         SELECT m.id FROM messages m
          WHERE m.id > $1::uuid AND m.search_vector IS NOT NULL
          ORDER BY m.id LIMIT ${BATCH}
       ),
       changed AS (
         UPDATE messages m SET search_vector = search_document(m.content, m.language)
           FROM batch
          WHERE m.id = batch.id
            AND m.search_vector IS DISTINCT FROM search_document(m.content, m.language)
       )
       SELECT max(id::text) AS last, count(*)::int AS n FROM batch`,
      [after],
    )) as { last: string | null; n: number }[];
    if (!batch.last || batch.n < BATCH) return;
    after = batch.last;
  }
}
