import { MigrationInterface, QueryRunner } from 'typeorm';

/** The search functions whose bodies PostgreSQL could not inline (they hold a subquery). */
const FUNCTIONS = ['search_vector_of(regconfig, text)', 'search_readings(text)'];

/**
 * The search functions that run for every message stored, in PL/pgSQL (SearchCliticReadings
 * made them plain SQL), with the same bodies.
 *
 * An SQL function whose body holds a subquery is never inlined: each statement that calls it
 * plans its body again, and the messages trigger is one such statement per row. Measured on
 * 200-row inserts of English text, the trigger cost 0.30 ms a message with them and 0.09 ms with
 * the bodies in PL/pgSQL, which plans them once per connection (Arabic text: 0.20 ms). What
 * they answer does not change: each body is wrapped as it is, `RETURN (<body>)`.
 */
export class SearchFunctionsCached1764001710000 implements MigrationInterface {
  name = 'SearchFunctionsCached1764001710000';

  async up(db: QueryRunner): Promise<void> {
    for (const signature of FUNCTIONS) await rewrap(db, signature, 'plpgsql');
  }

  async down(db: QueryRunner): Promise<void> {
    for (const signature of FUNCTIONS) await rewrap(db, signature, 'sql');
  }
}

/** Redefines a function in the other language, around the same SELECT. */
async function rewrap(db: QueryRunner, signature: string, language: 'sql' | 'plpgsql') {
  const [found] = (await db.query(
    `SELECT prosrc, pg_get_function_result(oid) AS result FROM pg_proc WHERE oid = $1::regprocedure`,
    [signature],
  )) as { prosrc: string; result: string }[];
  const select = language === 'plpgsql' ? found.prosrc.trim() : unwrap(found.prosrc);
  const body = language === 'plpgsql' ? `BEGIN RETURN (${select}); END` : select;
  const name = signature.slice(0, signature.indexOf('('));
  const args = (
    (await db.query(`SELECT pg_get_function_arguments($1::regprocedure) AS args`, [signature])) as {
      args: string;
    }[]
  )[0].args;
  await db.query(
    `CREATE OR REPLACE FUNCTION ${name}(${args}) RETURNS ${found.result}
       LANGUAGE ${language} IMMUTABLE STRICT PARALLEL SAFE AS $body$${body}$body$`,
  );
}

/** The SELECT inside `BEGIN RETURN (<select>); END`. */
function unwrap(plpgsql: string): string {
  const match = /^\s*BEGIN RETURN \(([\s\S]*)\); END\s*$/.exec(plpgsql);
  if (!match) throw new Error('not a function this migration wrapped');
  return match[1];
}
