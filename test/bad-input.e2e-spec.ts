import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { chat } from './support/chat';
import { API_ERROR_CODES } from './support/error-body';
import { admin, auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

/** The parts of the OpenAPI document this test reads. */
interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  $ref?: string;
  allOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Op {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operation: Operation;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
/** Tables whose rows a refused request may touch without it being a change of state. */
const VOLATILE = new Set(['migrations', 'typeorm_metadata', 'app_secrets']);

/** A JSON value of another type than `schema` says (never null: some fields may be null). */
function wrongType(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const string = fc.string({ maxLength: 20 });
  const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const array = fc.array(fc.jsonValue(), { maxLength: 3 });
  const object = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 });
  switch (schema?.type) {
    case 'string':
      return schema.enum
        ? fc.oneof(
            number,
            fc.boolean(),
            array,
            string.filter((s) => !schema.enum!.includes(s)),
          )
        : fc.oneof(number, fc.boolean(), array, object);
    case 'integer':
    case 'number':
      return fc.oneof(
        string,
        fc.boolean(),
        array,
        object,
        fc.constantFrom(9223372036854776000, 1e300, -1e300, 0.5),
      );
    case 'boolean':
      return fc.oneof(string, number, array, object);
    case 'array':
      return fc.oneof(string, number, fc.boolean(), object);
    case undefined:
    default:
      return fc.oneof(string, number, fc.boolean());
  }
}

/** A query value that the parameter's schema refuses, or null when any string would do. */
function badQueryValue(schema: Schema | undefined): fc.Arbitrary<string> | null {
  if (!schema) return null;
  if (schema.type === 'integer' || schema.type === 'number') {
    return fc.oneof(
      // not a number at all (Number('+1'), Number('0x10') and Number(' ') are numbers)
      fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !Number.isFinite(Number(s))),
      fc.constantFrom('99999999999999999999', '1e300', '-5', '0.5', '9223372036854776000'),
    );
  }
  if (schema.enum) {
    return fc.string({ maxLength: 12 }).filter((s) => !schema.enum!.includes(s.trim()));
  }
  if (schema.format === 'uuid') return fc.string({ minLength: 1, maxLength: 12 });
  return null;
}

/** Anything but a UUID, as a path segment. */
const badId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !UUID.test(s.trim())),
  fc.integer().map(String),
  fc.constantFrom('9223372036854776000', 'null', 'undefined', '{}', '%00', ' ', 'x'.repeat(300)),
);

const encode = (segment: string): string => {
  try {
    return encodeURIComponent(segment);
  } catch {
    return 'x%ZZ';
  }
};

describe('bad input over every REST operation of the OpenAPI document (fast-check)', () => {
  let t: TestApp;
  let alice: TestUser;
  let adminUser: TestUser;
  let ops: Op[];
  let doc: OpenApiDocument;

  /**
   * A digest of every row of every table: equal before and after means nothing changed. Taken
   * once the app is idle: the outbox of earlier requests is pruned on its own schedule.
   */
  async function snapshot(): Promise<Record<string, string>> {
    await t.drain();
    const db = t.app.get(DataSource);
    const tables = (
      await db.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    )
      .map((r) => r.table_name)
      .filter((name) => !VOLATILE.has(name));
    const digest: Record<string, string> = {};
    for (const table of tables) {
      const [row] = await db.query<{ d: string | null }[]>(
        `SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS d FROM "${table}" t`,
      );
      digest[table] = row.d ?? '';
    }
    return digest;
  }

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };

  const tokenFor = (op: Op) => (op.path.startsWith(`/${API.slice(1)}/admin`) ? adminUser : alice);

  /** The op's URL with each path parameter replaced by `ids` (a random UUID by default). */
  const urlOf = (op: Op, ids: Record<string, string> = {}): string =>
    op.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? randomUUID());

  async function send(op: Op, url: string, body?: unknown) {
    const req = t
      .http()
      [op.method](url)
      .set(auth(tokenFor(op).token));
    return body === undefined
      ? req
      : req.set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  function expectRefused(
    res: { status: number; body: Record<string, unknown>; headers: Record<string, string> },
    what: string,
  ) {
    const context = `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    expect({ context, clientError: res.status >= 400 && res.status < 500 }).toEqual({
      context,
      clientError: true,
    });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      statusCode: res.status,
      code: expect.any(String),
      message: expect.any(String),
      ...('details' in res.body ? { details: expect.any(Object) } : {}),
    });
    expect(API_ERROR_CODES).toContain(res.body.code);
  }

  beforeAll(async () => {
    t = await startTestApp();
    [alice, adminUser] = [await createUser(t), await admin(t)];
    const bob = await createUser(t);
    const conversation = await chat(t).direct(alice, bob);
    await chat(t).send(alice, conversation.id, 'hello');
    await chat(t).group(alice, [bob], 'fuzz');
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
    ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith(API))
      .flatMap(([path, byMethod]) =>
        Object.entries(byMethod)
          .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
          .map(([method, operation]) => ({ method, path, operation }) as Op),
      );
  }, 120_000);
  afterAll(() => t.close());

  it('covers every operation under the API prefix', () => {
    expect(ops.length).toBeGreaterThan(30);
  });

  it('refuses a malformed id in every path parameter with a 4xx error body, changing nothing', async () => {
    const before = await snapshot();
    for (const op of ops) {
      const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      if (names.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...names), badId, async (name, id) => {
          const url = urlOf(op, { [name]: encode(id) });
          expectRefused(await send(op, url), `${op.method.toUpperCase()} ${url}`);
        }),
        { numRuns: RUNS },
      );
    }
    expect(await snapshot()).toEqual(before);
  }, 600_000);

  it('refuses unknown and ill-typed query parameters on every operation, changing nothing', async () => {
    const before = await snapshot();
    for (const op of ops) {
      const declared = (op.operation.parameters ?? []).filter((p) => p.in === 'query');
      const names = new Set(declared.map((p) => p.name));
      const unknown = fc
        .tuple(
          fc
            .oneof(
              fc.string({ minLength: 1, maxLength: 12 }),
              fc.constantFrom('constructor', 'prototype', 'toString', '__proto__'),
            )
            .filter((k) => !names.has(k.trim()) && /^\w+$/.test(k)),
          fc.string({ maxLength: 12 }),
        )
        .map(([k, v]) => [k, v] as [string, string]);
      const illTyped = declared.flatMap((p) => {
        const bad = badQueryValue(p.schema);
        return bad ? [bad.map((v) => [p.name, v] as [string, string])] : [];
      });
      await fc.assert(
        fc.asyncProperty(fc.oneof(unknown, ...illTyped), async ([key, value]) => {
          const url = `${urlOf(op)}?${encodeURIComponent(key)}=${encode(value)}`;
          const res = await send(op, url);
          expectRefused(res, `${op.method.toUpperCase()} ${url}`);
        }),
        { numRuns: RUNS },
      );
    }
    expect(await snapshot()).toEqual(before);
  }, 600_000);

  it('refuses bad JSON bodies on every operation that takes one, changing nothing', async () => {
    const before = await snapshot();
    for (const op of ops) {
      const content = op.operation.requestBody?.content ?? {};
      const json = content['application/json'];
      if (!json && Object.keys(content).length === 0) continue;
      const schema = resolve(json?.schema);
      const properties = Object.entries(schema?.properties ?? {});
      const known = new Set(properties.map(([k]) => k));
      const notAnObject = fc.oneof(
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        fc.string({ maxLength: 10 }),
        fc.integer(),
        fc.boolean(),
      );
      const withUnknownField = fc
        .tuple(
          fc
            .oneof(
              fc.string({ minLength: 1, maxLength: 10 }),
              fc.constantFrom('constructor', 'prototype', 'toString', 'hasOwnProperty'),
            )
            .filter((k) => !known.has(k) && k !== '__proto__'),
          fc.jsonValue(),
        )
        .map(([k, v]) => ({ [k]: v }));
      const withIllTypedField = properties.map(([name, property]) =>
        wrongType(resolve(property)).map((v) => ({ [name]: v })),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(notAnObject, withUnknownField, ...withIllTypedField),
          async (body) => {
            const url = urlOf(op);
            expectRefused(
              await send(op, url, body),
              `${op.method.toUpperCase()} ${url} ${JSON.stringify(body).slice(0, 100)}`,
            );
          },
        ),
        { numRuns: RUNS },
      );
    }
    expect(await snapshot()).toEqual(before);
  }, 600_000);
});
