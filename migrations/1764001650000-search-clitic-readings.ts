import { MigrationInterface, QueryRunner } from 'typeorm';
import { SearchArabicClitics1764001300000 } from './1764001300000-search-arabic-clitics';

/** A letter of the Arabic script (as in the search migration), and anything else. */
const L = String.raw`[\u0620-\u064A\u066E-\u06D3]`;
const NOT_L = String.raw`[^\u0620-\u064A\u066E-\u06D3]`;
/** Where an Arabic word starts (captured, to be put back) and where it ends. */
const START = String.raw`(^|${NOT_L})`;
const END = String.raw`(?:${NOT_L}|$)`;
/**
 * Put before each word that begins with a proclitic letter, for the stemmer to take no prefix off
 * (the readings do that), and taken off the lexemes again; also marks a letter as the word's own.
 */
const GUARD = String.raw`\u0621`; // ء
/** The letters that may be a proclitic: و ف ب ك ل. */
const PROCLITIC_LETTER = String.raw`[\u0648\u0641\u0628\u0643\u0644]`;
/**
 * A first letter whose haraka (when written) says it is no proclitic: و ف ك as proclitics take
 * fatha, ب kasra, ل kasra or fatha; any other haraka, tanween or shadda makes the letter the
 * word's own ("بَرِيد", mail, is not ب + "ريد").
 */
const RADICAL_BY_HARAKA = String.raw`[\u0648\u0641\u0643][\u064B-\u064D\u064F-\u0652]|\u0628[\u064B-\u064F\u0651\u0652]|\u0644[\u064B-\u064D\u064F\u0651\u0652]`;
const CONJ = String.raw`[\u0648\u0641]`; // و ف
const TEH_MARBUTA = String.raw`\u0629`; // ة
/** A stem after a one-letter clitic: three letters or more, a final ة not counted. */
const STEM3 = String.raw`(?!${L}{2}${TEH_MARBUTA}${END})(${L}{3,})`;
/** A stem after the article: two letters or more, but not the rest of الله (لة once ه → ة). */
const STEM2 = String.raw`(?!\u0644[\u0647\u0629]${END})(${L}{2,})`;

/**
 * The readings of a word behind its proclitics, one regular expression each, in the grammar of
 * the proclitics: a conjunction (و ف), then a preposition (ب ل, or ك before the article only),
 * then the article ال (ل + ال is written لل). Each takes its proclitics off every word of a
 * text that has them, and leaves the other words as they are.
 */
const READINGS = [
  // و / ف + stem: وبيت → بيت, but not ولد (و + لد), وقت (و + قت)
  String.raw`${START}${CONJ}${STEM3}`,
  // (و / ف) + ب / ل + stem: بطاقة → طاقة, فلبيت → بيت; never after the article (البطاقة)
  String.raw`${START}${CONJ}?[\u0628\u0644]${STEM3}`,
  // (و / ف) + (ب / ك) + ال + stem: وبالبيت → بيت, الحر → حر
  String.raw`${START}${CONJ}?[\u0628\u0643]?\u0627\u0644${STEM2}`,
  // (و / ف) + ل + ال + stem, written لل: فللبيت → بيت (ل + لحم, للحم, is the reading above)
  String.raw`${START}${CONJ}?\u0644\u0644${STEM2}`,
];

/**
 * Arabic proclitics in search (issue 16, item 6), without guessing which letters are proclitics.
 *
 * The earlier migration (SearchArabicClitics1764001300000) took the proclitics off every word,
 * the same way for messages and queries. A word that begins with a letter of its own that is
 * also a proclitic then lost it: "بطاقة" (card) became "طاقة" (energy), and each was found for
 * the other in every written form; and it took ب off a word that had already lost ال
 * ("البطاقة" → "طاقة"), which Arabic never writes. Measured on the quality set of
 * test/search.e2e-spec.ts, Arabic precision fell from 94.4% to 87.9%.
 *
 * A written word cannot say whether its first letter is a proclitic ("بطاقة" is a card, and
 * also ب + "طاقة", "with energy"). So a word now stands for all its readings, as in a light
 * stemmer (Larkey's light10) restricted to proclitics, but with every grammatical split kept
 * instead of the longest one:
 *
 * - `search_normalize` folds the text as before (marks, letter variants, digits, final ه → ة)
 *   and strips no proclitic; a first letter written with a haraka that the proclitic never
 *   has (بَ: the preposition is بِ) is marked as the word's own first (RADICAL_BY_HARAKA);
 * - `search_readings(text)` is the text as written and, for each proclitic pattern (READINGS),
 *   the text with that pattern's proclitics taken off (each of the same words, in the same
 *   places, so that positions and phrases hold);
 * - `search_vector_of(config, text)` merges the vectors of the readings: each word has, at its
 *   position, the lexemes of all its readings. The Snowball stemmer strips prefixes of its own,
 *   by length only (ب off "بطاقة", ف off "فيلم", ال off long words only); a word that begins
 *   with a proclitic letter goes to it behind GUARD, so that it strips suffixes only, and the
 *   readings alone decide the proclitics (other words keep its verb prefixes: سيكتب → يكتب);
 * - `search_query(q)` puts, for each Arabic word of the query that has more than one reading,
 *   the OR of its readings' lexemes where the word was (`ts_rewrite`), in both configurations;
 *   so a query word hits a message word when they share a reading: "طاقة" finds "بالطاقة" and
 *   "بطاقة" (which may be ب + طاقة, "with energy"), but no longer "البطاقة" (the card), and
 *   "البطاقة" no longer finds "الطاقة";
 * - `search_terms(q)`: the lexemes of every reading of the query's words, for the snippets,
 *   which hit a message word when they share a lexeme, as search does.
 *
 * Text without Arabic letters keeps its one vector, as before (English is unchanged).
 *
 * The stored vectors are rebuilt in bounded batches, and only those that change; the GIN index
 * on `messages.search_vector` stays as it is and is used as before.
 */
export class SearchCliticReadings1764001650000 implements MigrationInterface {
  name = 'SearchCliticReadings1764001650000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(normalizeFunction());
    await db.query(`
      CREATE FUNCTION search_readings(t text) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT ARRAY(SELECT DISTINCT r FROM unnest(ARRAY[t, ${READINGS.map(
          (re) => `regexp_replace(t, '${re}', '\\1\\2', 'g')`,
        ).join(', ')}]) AS r)
      $$`);
    await db.query(`
      CREATE FUNCTION search_guarded(t text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT regexp_replace(t, '${START}(?=${PROCLITIC_LETTER})', E'\\\\1${GUARD}', 'g')
      $$`);
    await db.query(`
      CREATE FUNCTION search_vector_of(cfg regconfig, t text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN t ~ '${L}'
                    THEN (SELECT regexp_replace(string_agg(to_tsvector(cfg, search_guarded(r))::text, ' '),
                                                '''${GUARD}', '''', 'g')::tsvector
                            FROM unnest(search_readings(t)) AS r)
                    ELSE to_tsvector(cfg, t) END
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION search_document(body text, lang text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT search_vector_of(CASE WHEN lang IN ('ar', 'en') THEN 'messages_ar_en'::regconfig
                                     ELSE 'simple'::regconfig END,
                                search_normalize(body))
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION search_query(q text) RETURNS tsquery
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        t text := search_normalize(q);
        words text[];
        ar tsquery;
        si tsquery;
      BEGIN
        -- each Arabic word with more than one reading gives way to a placeholder of its own,
        -- which websearch_to_tsquery keeps as one lexeme wherever the word stood
        words := ARRAY(SELECT DISTINCT w FROM regexp_split_to_table(t, '${NOT_L}+') AS w
                        WHERE w <> '' AND cardinality(search_readings(w)) > 1);
        FOR i IN 1 .. cardinality(words) LOOP
          t := regexp_replace(t, '${START}' || words[i] || '(?=${END})', '\\1 zqreading' || i || 'q ', 'g');
        END LOOP;
        t := search_guarded(t);
        ar := websearch_to_tsquery('messages_ar_en', t);
        si := websearch_to_tsquery('simple', t);
        FOR i IN 1 .. cardinality(words) LOOP
          t := search_guarded(array_to_string(search_readings(words[i]), ' or '));
          ar := ts_rewrite(ar, to_tsquery('simple', 'zqreading' || i || 'q'), websearch_to_tsquery('messages_ar_en', t));
          si := ts_rewrite(si, to_tsquery('simple', 'zqreading' || i || 'q'), websearch_to_tsquery('simple', t));
        END LOOP;
        RETURN regexp_replace((ar || si)::text, '''${GUARD}', '''', 'g')::tsquery;
      END
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION search_terms(q text) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT tsvector_to_array(search_vector_of('messages_ar_en', search_normalize(q)))
            || tsvector_to_array(search_vector_of('simple', search_normalize(q)))
      $$`);
    await rebuildVectors(db);
  }

  async down(db: QueryRunner): Promise<void> {
    // the search migration's functions, then the clitics migration's search_normalize and vectors
    await db.query(`
      CREATE OR REPLACE FUNCTION search_document(body text, lang text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN lang IN ('ar', 'en')
                    THEN to_tsvector('messages_ar_en', search_normalize(body))
                    ELSE to_tsvector('simple', search_normalize(body)) END
      $$`);
    await db.query(`DROP FUNCTION search_query(text)`);
    await db.query(`
      CREATE FUNCTION search_query(q text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT websearch_to_tsquery('messages_ar_en', search_normalize(q))
            || websearch_to_tsquery('simple', search_normalize(q))
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION search_terms(q text) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT tsvector_to_array(to_tsvector('messages_ar_en', search_normalize(q)))
            || tsvector_to_array(to_tsvector('simple', search_normalize(q)))
      $$`);
    await db.query(`DROP FUNCTION search_vector_of(regconfig, text)`);
    await db.query(`DROP FUNCTION search_guarded(text)`);
    await db.query(`DROP FUNCTION search_readings(text)`);
    await new SearchArabicClitics1764001300000().up(db);
  }
}

/** `search_normalize` as the search migration made it, without its proclitic step. */
function normalizeFunction(): string {
  const IGNORED = String.raw`[\u064B-\u065F\u0670\u0640\u06D6-\u06ED\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]`;
  const FOLD_FROM = String.raw`\u0623\u0625\u0622\u0671\u0649\u06CC\u0624\u0626\u06A9\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9<>`;
  const FOLD_TO =
    String.raw`\u0627\u0627\u0627\u0627\u064A\u064A\u0648\u064A\u0643` + '01234567890123456789  ';
  return `
      CREATE OR REPLACE FUNCTION search_normalize(body text) RETURNS text
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        t text := lower(normalize(body, NFKC));
      BEGIN
        t := regexp_replace(t, '(^|[^${L.slice(1, -1)}${IGNORED.slice(1, -1)}])(${RADICAL_BY_HARAKA})', E'\\\\1${GUARD}\\\\2', 'g');
        t := regexp_replace(t, '${IGNORED}', '', 'g');
        t := translate(t, E'${FOLD_FROM}', E'${FOLD_TO}');
        t := regexp_replace(t, '\\u0647(?=${END})', E'\\u0629', 'g');
        RETURN t;
      END
      $$`;
}

/** Rows per statement while rebuilding: each batch is one short UPDATE. */
const BATCH = 2000;

/**
 * Recomputes `search_vector` of every searchable message, in batches of BATCH by id, writing
 * only the rows whose vector changes (Arabic, mostly).
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
