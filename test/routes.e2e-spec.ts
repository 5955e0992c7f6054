import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { API_ERROR_CODES, expectErrorBody } from './support/error-body';
import { validateOpenApi } from './support/openapi-validator';
import { startTestApp, TestApp } from './support/test-app';

interface Route {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

interface OpenApiDocument {
  openapi: string;
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}

const PUBLIC_ROUTES: Route[] = [
  { method: 'POST', path: '/api/v1/auth/register' },
  { method: 'POST', path: '/api/v1/auth/login' },
  { method: 'POST', path: '/api/v1/auth/refresh' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/health/ready' },
  { method: 'GET', path: '/metrics' },
];

const ERROR_BODY_REF = '#/components/schemas/ErrorBody';

const key = (r: Route): string => `${r.method} ${r.path}`;
const isPublic = (r: Route): boolean => PUBLIC_ROUTES.some((p) => key(p) === key(r));
const toOpenApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
const withRandomIds = (path: string): string => path.replace(/:(\w+)/g, () => randomUUID());

/**
 * Every endpoint in the running app's Express router. A controller route is registered for one
 * method; middleware mounted with `all` (every method) and the Swagger UI's own pages under
 * `/docs` are not endpoints of the API.
 */
function walkRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance() as unknown as {
    router: { stack: RouterLayer[] };
  };
  const routes = new Map<string, Route>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    const { path } = layer.route;
    if (methods.length !== 1 || path.startsWith('/docs')) continue;
    const route = { method: methods[0].toUpperCase(), path };
    routes.set(key(route), route);
  }
  return [...routes.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/** How many request handlers the app's controllers declare, found through Nest's discovery. */
function countControllerHandlers(t: TestApp): number {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  let count = 0;
  for (const wrapper of discovery.getControllers()) {
    const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
    if (!prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as object;
      const isRoute =
        Reflect.getMetadata(PATH_METADATA, handler) !== undefined &&
        Reflect.getMetadata(METHOD_METADATA, handler) !== undefined;
      if (isRoute) count++;
    }
  }
  return count;
}

describe('routes', () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp();
    routes = walkRoutes(t);
  });
  afterAll(() => t.close());

  const send = (route: Route) => {
    const agent = t.http();
    const url = withRandomIds(route.path);
    switch (route.method) {
      case 'GET':
        return agent.get(url);
      case 'POST':
        return agent.post(url).send({});
      case 'PUT':
        return agent.put(url).send({});
      case 'PATCH':
        return agent.patch(url).send({});
      case 'DELETE':
        return agent.delete(url);
      default:
        throw new Error(`no request helper for ${route.method}`);
    }
  };

  describe('the walk', () => {
    it('finds one route per controller handler', () => {
      expect(routes.length).toBe(countControllerHandlers(t));
    });

    it('finds every public route', () => {
      const keys = routes.map(key);
      for (const route of PUBLIC_ROUTES) expect(keys).toContain(key(route));
    });

    it('finds REST routes only under /api/v1, apart from health and metrics', () => {
      const outside = routes.filter((r) => !r.path.startsWith('/api/v1/')).map(key);
      expect(outside.sort()).toEqual(['GET /health', 'GET /health/ready', 'GET /metrics']);
    });
  });

  describe('authentication', () => {
    it('answers every non-public route without a token with 401 UNAUTHORIZED', async () => {
      const guarded = routes.filter((r) => !isPublic(r));
      expect(guarded.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const route of guarded) {
        const res = await send(route);
        if (res.status !== 401 || res.body.code !== 'UNAUTHORIZED') {
          wrong.push(`${key(route)} → ${res.status} ${JSON.stringify(res.body)}`);
          continue;
        }
        expectErrorBody(res, 401, 'UNAUTHORIZED');
      }
      expect(wrong).toEqual([]);
    });

    it('answers every non-public route with a bad token with 401 UNAUTHORIZED', async () => {
      const wrong: string[] = [];
      for (const route of routes.filter((r) => !isPublic(r))) {
        const res = await send(route).set('Authorization', 'Bearer not-a-token');
        if (res.status !== 401) wrong.push(`${key(route)} → ${res.status}`);
      }
      expect(wrong).toEqual([]);
    });

    it('serves the public routes without a token', async () => {
      const wrong: string[] = [];
      for (const route of PUBLIC_ROUTES) {
        const res = await send(route);
        if (res.status === 401) wrong.push(`${key(route)} → 401`);
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('OpenAPI document', () => {
    let doc: OpenApiDocument;

    beforeAll(async () => {
      const res = await t.http().get('/docs-json').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.body as OpenApiDocument;
    });

    const operationOf = (route: Route): Operation | undefined =>
      doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
    const securityOf = (route: Route) => operationOf(route)?.security ?? doc.security ?? [];

    it('is a valid OpenAPI 3 document', async () => {
      expect(doc.openapi).toMatch(/^3\./);
      await expect(validateOpenApi(doc)).resolves.toBeUndefined();
    });

    it('describes every route of the app', () => {
      const missing = routes.filter((r) => operationOf(r) === undefined).map(key);
      expect(missing).toEqual([]);
    });

    it('describes no route that the app does not serve', () => {
      const served = new Set(routes.map((r) => `${r.method} ${toOpenApiPath(r.path)}`));
      const extra = Object.entries(doc.paths)
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .filter((k) => !served.has(k));
      expect(extra).toEqual([]);
    });

    it('defines bearer as an HTTP bearer security scheme', () => {
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
    });

    it('requires the bearer token on every non-public operation', () => {
      const wrong = routes
        .filter((r) => !isPublic(r))
        .filter((r) => {
          const security = securityOf(r);
          const required = security.length > 0 && security.every((s) => Object.keys(s).length > 0);
          return !required || !security.some((s) => 'bearer' in s);
        })
        .map(key);
      expect(wrong).toEqual([]);
    });

    it('gives every public operation an empty security requirement', () => {
      const wrong = PUBLIC_ROUTES.filter(
        (r) => !securityOf(r).some((s) => Object.keys(s).length === 0),
      ).map(key);
      expect(wrong).toEqual([]);
    });

    it('documents 400 with ErrorBody on every operation and 401 on every non-public one', () => {
      const wrong: string[] = [];
      for (const route of routes) {
        const responses = operationOf(route)?.responses ?? {};
        const statuses = isPublic(route) ? ['400'] : ['400', '401'];
        for (const status of statuses) {
          const ref = responses[status]?.content?.['application/json']?.schema?.$ref;
          if (ref !== ERROR_BODY_REF) wrong.push(`${key(route)} ${status}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('describes every documented 4xx and 500 answer with the ErrorBody schema', () => {
      const wrong: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          for (const [status, response] of Object.entries(op.responses)) {
            if (!/^4\d\d$/.test(status) && status !== '500') continue;
            const ref = response.content?.['application/json']?.schema?.$ref;
            if (ref !== ERROR_BODY_REF) wrong.push(`${method.toUpperCase()} ${path} ${status}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('defines ErrorBody with statusCode, code and message required', () => {
      const schema = doc.components.schemas.ErrorBody;
      expect(schema.required?.sort()).toEqual(['code', 'message', 'statusCode']);
      expect(Object.keys(schema.properties).sort()).toEqual([
        'code',
        'details',
        'message',
        'statusCode',
      ]);
    });

    it('lists exactly the contract’s error codes in ErrorBody.code', () => {
      const code = doc.components.schemas.ErrorBody.properties.code as { enum?: string[] };
      expect([...(code.enum ?? [])].sort()).toEqual([...API_ERROR_CODES].sort());
    });
  });

  it('serves the API docs UI at /docs as HTML', async () => {
    const res = await t.http().get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger/i);
  });
});
