import { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBody } from '../errors/error-body';

type Operation = {
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, unknown>;
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
});

/** Adds the answers every route can give, so each operation documents its error shape. */
function addCommonErrors(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const op of Object.values(path) as Operation[]) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const isPublic = op.security?.some((req) => Object.keys(req).length === 0) ?? false;
      op.responses['400'] ??= errorResponse('VALIDATION_FAILED');
      if (!isPublic) op.responses['401'] ??= errorResponse('UNAUTHORIZED');
      op.responses['429'] ??= errorResponse('RATE_LIMITED');
      if (op.requestBody?.content?.['application/json']) {
        op.responses['413'] ??= errorResponse('PAYLOAD_TOO_LARGE: the JSON body is over 1 MiB');
      }
      op.responses['500'] ??= errorResponse(
        'INTERNAL (details.correlationId is in the server log)',
      );
      op.responses['503'] ??= errorResponse(
        'UNAVAILABLE: the database or Redis is unreachable, or the node is shutting down; retry',
      );
    }
  }
}

export function buildOpenApiDocument(
  app: INestApplication,
  extraModels: Type<unknown>[] = [],
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Messaging service')
    .setDescription(
      'REST API of the real-time messaging service. Every error has the shape ErrorBody; ' +
        '`message` follows `Accept-Language` (`ar` → Arabic), else the user’s locale. ' +
        'Lists answer `{items, nextCursor}`; pass `cursor=<nextCursor>` for the next page. ' +
        'Socket.IO events are described by the AsyncAPI document at /docs/events-json.\n\n' +
        '**Encryption.** `none`: stored as written, moderated, searchable. `at_rest`: the server ' +
        'reads the content to moderate it, then stores it (and attachment bytes) encrypted with ' +
        'AES-256-GCM under a per-conversation key wrapped by a master key; it is never indexed for ' +
        'search. `e2e`: clients encrypt; the server stores and relays base64 ciphertext (≤ 16 KiB) ' +
        'exactly as given and cannot read it: no moderation, search, previews or notification ' +
        'bodies. It still sees metadata: who talks to whom, when, sizes, reactions and receipts. ' +
        'Device public keys: `PUT /keys/me`, `GET /keys`.\n\n' +
        '**Timing.** Every response carries `Server-Timing: app;dur=<ms>`: the milliseconds the ' +
        'service spent on the request before it began to answer (the rest of what a client ' +
        'waits for is the network).',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorBody, ...extraModels],
  });
  addCommonErrors(document);
  return document;
}

/**
 * `/docs` (UI), `/docs-json` (OpenAPI) and `/docs/events-json` (AsyncAPI of the socket events,
 * built from the OpenAPI document's schemas).
 */
export function setupApiDocs(
  app: INestApplication,
  socketModels: Type<unknown>[],
  buildEvents: (openapi: OpenAPIObject) => Record<string, unknown>,
): void {
  let cached: OpenAPIObject | undefined;
  const openapi = () => (cached ??= buildOpenApiDocument(app, socketModels));
  const http = app.getHttpAdapter();
  let events: Record<string, unknown> | undefined;
  http.get('/docs/events-json', (_req: unknown, res: { json(body: unknown): void }) => {
    res.json((events ??= buildEvents(openapi())));
  });
  SwaggerModule.setup('docs', app, openapi, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
