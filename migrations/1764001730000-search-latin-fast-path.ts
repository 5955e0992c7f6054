import { MigrationInterface, QueryRunner } from 'typeorm';

/** A letter of the Arabic script (as in the search migrations). */
const L = String.raw`[\u0620-\u064A\u066E-\u06D3]`;
/**
 * What `search_normalize`'s steps after NFKC and lower-casing change besides `<` and `>`: the
 * Arabic block (letters, harakat, digits, the letters folded together) and the invisible
 * characters it drops. Text with none of them only has `<` and `>` made spaces.
 */
const TOUCHED = String.raw`[\u0600-\u06FF\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]`;
const FAST_NORMALIZE = `
        IF t !~ '${TOUCHED}' THEN
          RETURN translate(t, '<>', '  ');
        END IF;`;

/**
 * Text without Arabic letters (most messages of an English deployment, and every message of the
 * benchmarks) skips the Arabic steps of the two search functions that the messages trigger runs
 * for every stored message; they answer exactly what they did.
 *
 * - `search_normalize` returns after NFKC, lower-casing and `<>` → spaces when the text holds
 *   none of the characters its other steps change (four regular expressions and a translate).
 * - `search_vector_of` tests for an Arabic letter in PL/pgSQL and calls `to_tsvector` as a
 *   simple expression; it evaluated `RETURN (SELECT CASE …)`, a query through SPI, every time.
 *
 * And a word that is the letter ء alone can be stored and searched for (see UNGUARD).
 *
 * Measured with pg_stat_statements on the anchor benchmark (English text, 1000 msg/s) the
 * trigger cost 0.053 ms a message; `search_document` over 20,000 English texts in psql: 25 µs
 * each before, 12 µs after.
 */
export class SearchLatinFastPath1764001730000 implements MigrationInterface {
  name = 'SearchLatinFastPath1764001730000';

  async up(db: QueryRunner): Promise<void> {
    const normalize = await body(db, 'search_normalize(text)');
    if (!/^\s*DECLARE\s+t text := lower\(normalize\(body, NFKC\)\);\s+BEGIN/.test(normalize)) {
      throw new Error('search_normalize is not the function this migration knows');
    }
    await replaceNormalize(db, normalize.replace(/BEGIN/, `BEGIN${FAST_NORMALIZE}`));
    await replaceVectorOf(
      db,
      `BEGIN
        IF t !~ '${L}' THEN
          RETURN to_tsvector(cfg, t);
        END IF;
        RETURN (${readingsVector(UNGUARD)});
      END`,
    );
    await replaceQuery(db, (await body(db, 'search_query(text)')).replace(UNGUARD_BEFORE, UNGUARD));
  }

  async down(db: QueryRunner): Promise<void> {
    await replaceQuery(db, (await body(db, 'search_query(text)')).replace(UNGUARD, UNGUARD_BEFORE));
    const normalize = await body(db, 'search_normalize(text)');
    await replaceNormalize(db, normalize.replace(FAST_NORMALIZE, ''));
    await replaceVectorOf(
      db,
      `BEGIN RETURN (SELECT CASE WHEN t ~ '${L}'
                    THEN (${readingsVector(UNGUARD_BEFORE)})
                    ELSE to_tsvector(cfg, t) END); END`,
    );
  }
}

/**
 * The guard (ء) taken off the lexemes it was put before: it was taken off every lexeme that began
 * with ء, so a word that is ء alone left an empty lexeme, which is no tsvector or tsquery (storing
 * "مرحبا ء" failed, and so did searching for "ء"). The guard is only ever put before a letter.
 */
const UNGUARD = String.raw`'''\u0621(?!'')', ''''`;
const UNGUARD_BEFORE = String.raw`'''\u0621', ''''`;

/** The vector of Arabic text: each word's lexemes merged over its readings (SearchCliticReadings). */
const readingsVector = (unguard: string) =>
  `SELECT regexp_replace(string_agg(to_tsvector(cfg, search_guarded(r))::text, ' '), ${unguard}, 'g')::tsvector
            FROM unnest(search_readings(t)) AS r`;

async function body(db: QueryRunner, signature: string): Promise<string> {
  const [found] = (await db.query(`SELECT prosrc FROM pg_proc WHERE oid = $1::regprocedure`, [
    signature,
  ])) as { prosrc: string }[];
  return found.prosrc;
}

function replaceNormalize(db: QueryRunner, source: string): Promise<unknown> {
  return db.query(`
    CREATE OR REPLACE FUNCTION search_normalize(body text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$${source}$body$`);
}

function replaceQuery(db: QueryRunner, source: string): Promise<unknown> {
  if (!source.includes(UNGUARD) && !source.includes(UNGUARD_BEFORE)) {
    throw new Error('search_query is not the function this migration knows');
  }
  return db.query(`
    CREATE OR REPLACE FUNCTION search_query(q text) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$${source}$body$`);
}

function replaceVectorOf(db: QueryRunner, source: string): Promise<unknown> {
  return db.query(`
    CREATE OR REPLACE FUNCTION search_vector_of(cfg regconfig, t text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$${source}$body$`);
}
