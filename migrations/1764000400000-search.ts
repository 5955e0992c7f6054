import { MigrationInterface, QueryRunner } from 'typeorm';

/** A letter of the Arabic script (the basic block, and the extended letters after U+066E). */
const ARABIC_LETTER = String.raw`[\u0620-\u064A\u066E-\u06D3]`;
const NOT_ARABIC_LETTER = String.raw`[^\u0620-\u064A\u066E-\u06D3]`;

/**
 * What search ignores, so that it matches regardless of it: harakat and other combining Arabic
 * marks (U+064B–U+065F), superscript alef (U+0670), tatweel (U+0640), Quranic annotation marks
 * (U+06D6–U+06ED), soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
 * bidi controls, byte order mark.
 */
const IGNORED = String.raw`[\u064B-\u065F\u0670\u0640\u06D6-\u06ED\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]`;

/**
 * Letter and digit variants folded onto one form: أ إ آ ٱ → ا, ى → ي, Persian ی → ي, ؤ → و,
 * ئ → ي, Persian ک → ك, Arabic-Indic and Persian digits → 0-9. `<` and `>` become spaces: the
 * text search parser would otherwise drop `<b>` or `<script>` as markup, and in a chat they are
 * words someone wrote.
 */
const FOLD_FROM = String.raw`\u0623\u0625\u0622\u0671\u0649\u06CC\u0624\u0626\u06A9\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9<>`;
const FOLD_TO =
  String.raw`\u0627\u0627\u0627\u0627\u064A\u064A\u0648\u064A\u0643` + '01234567890123456789  ';

/**
 * Private full-text search of messages (API.md, Search; DESIGN.md, Search).
 *
 * The database keeps `messages.search_vector` itself (a trigger), so no writer of messages has
 * to know about search, and a message is searchable in the transaction that stores it.
 *
 * - `search_normalize(text)` folds what PostgreSQL's Snowball `arabic` stemmer leaves (or treats
 *   inconsistently): presentation forms (NFKC), marks, zero-width characters, letter variants,
 *   digits, the "and the"/"so the" prefixes وال/فال (Snowball strips ال بال كال لل but not
 *   these), and a word-final ه written for ة. Measured: folding ة → ه (as DESIGN.md first
 *   said) makes "المكتبه" stem to مكتبه but "مكتبه" to مكتب; folding a final ه → ة lets
 *   Snowball strip it as the noun suffix in both, so the fold goes that way.
 * - `messages_ar_en` is the configuration of Arabic and English messages: Arabic-script words
 *   go to the Arabic stemmer and ASCII words to the English one (with its stop words), each
 *   word keeping its position, so both parts of a mixed message are found, phrases included.
 *   Other languages use `simple`.
 * - `search_query(text)` is the query side: the same normalisation, `websearch_to_tsquery`
 *   (never a syntax error, whatever the user types) in both configurations, OR-ed, as the
 *   language of a query is unknown. `search_terms(text)` lists the lexemes of the query's words
 *   in both, for marking hits in snippets.
 * - NULL (never found) for deleted and system messages and in encrypted conversations
 *   (`at_rest` content must not leak into an index; `e2e` content is ciphertext).
 */
export class Search1764000400000 implements MigrationInterface {
  name = 'Search1764000400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TEXT SEARCH CONFIGURATION messages_ar_en (COPY = english)`);
    await db.query(
      `ALTER TEXT SEARCH CONFIGURATION messages_ar_en ALTER MAPPING FOR word, hword, hword_part WITH arabic_stem`,
    );
    await db.query(`
      CREATE FUNCTION search_normalize(body text) RETURNS text
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        t text := lower(normalize(body, NFKC));
      BEGIN
        t := regexp_replace(t, '${IGNORED}', '', 'g');
        t := translate(t, E'${FOLD_FROM}', E'${FOLD_TO}');
        t := regexp_replace(t, '(^|${NOT_ARABIC_LETTER})[\\u0648\\u0641](\\u0627\\u0644${ARABIC_LETTER}{2})', '\\1\\2', 'g');
        t := regexp_replace(t, '\\u0647(?=${NOT_ARABIC_LETTER}|$)', E'\\u0629', 'g');
        RETURN t;
      END
      $$`);
    await db.query(`
      CREATE FUNCTION search_document(body text, lang text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN lang IN ('ar', 'en')
                    THEN to_tsvector('messages_ar_en', search_normalize(body))
                    ELSE to_tsvector('simple', search_normalize(body)) END
      $$`);
    await db.query(`
      CREATE FUNCTION search_query(q text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT websearch_to_tsquery('messages_ar_en', search_normalize(q))
            || websearch_to_tsquery('simple', search_normalize(q))
      $$`);
    await db.query(`
      CREATE FUNCTION search_terms(q text) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT tsvector_to_array(to_tsvector('messages_ar_en', search_normalize(q)))
            || tsvector_to_array(to_tsvector('simple', search_normalize(q)))
      $$`);
    await db.query(`ALTER TABLE messages ADD COLUMN search_vector tsvector`);
    await db.query(`
      CREATE FUNCTION messages_search_vector() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.deleted_at IS NULL AND NEW.type <> 'system' AND EXISTS (
             SELECT 1 FROM conversations c WHERE c.id = NEW.conversation_id AND c.encryption = 'none')
        THEN
          NEW.search_vector := search_document(NEW.content, NEW.language);
        ELSE
          NEW.search_vector := NULL;
        END IF;
        RETURN NEW;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER messages_search_vector
        BEFORE INSERT OR UPDATE OF content, language, deleted_at, type ON messages
        FOR EACH ROW EXECUTE FUNCTION messages_search_vector()`);
    await db.query(`
      UPDATE messages m SET search_vector = search_document(m.content, m.language)
        FROM conversations c
       WHERE c.id = m.conversation_id AND c.encryption = 'none'
         AND m.deleted_at IS NULL AND m.type <> 'system'`);
    await db.query(`CREATE INDEX messages_search_idx ON messages USING gin (search_vector)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER messages_search_vector ON messages`);
    await db.query(`DROP FUNCTION messages_search_vector()`);
    await db.query(`DROP INDEX messages_search_idx`);
    await db.query(`ALTER TABLE messages DROP COLUMN search_vector`);
    await db.query(`DROP FUNCTION search_terms(text)`);
    await db.query(`DROP FUNCTION search_query(text)`);
    await db.query(`DROP FUNCTION search_document(text, text)`);
    await db.query(`DROP FUNCTION search_normalize(text)`);
    await db.query(`DROP TEXT SEARCH CONFIGURATION messages_ar_en`);
  }
}
