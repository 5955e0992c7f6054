import { Type } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import { AckErrorDto } from './dto/socket-events.dto';
import { CLIENT_EVENTS, SERVER_EVENTS } from './socket-events';

const OPENAPI_SCHEMA = 'application/vnd.oai.openapi+json;version=3.0.0';

/** Every class the Socket.IO surface uses, so the OpenAPI generator emits their schemas. */
export function socketModels(): Type<unknown>[] {
  const all = [
    ...Object.values(CLIENT_EVENTS).flatMap((e) => [e.payload, e.ack]),
    ...Object.values(SERVER_EVENTS).map((e) => e.payload),
  ];
  return [...new Set([...all, AckErrorDto])];
}

const ref = (model: Type<unknown>) => ({ $ref: `#/components/schemas/${model.name}` });
const operationId = (event: string) =>
  event.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''));

/**
 * The AsyncAPI 3 description of `/messaging`, generated from the same classes the gateway
 * validates with and the emitter is typed by. Payload schemas are the OpenAPI document's.
 */
export function buildAsyncApiDocument(openapi: OpenAPIObject): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};

  for (const [event, spec] of Object.entries(CLIENT_EVENTS)) {
    const id = operationId(event);
    messages[id] = {
      name: event,
      title: event,
      summary: spec.summary,
      payload: { schemaFormat: OPENAPI_SCHEMA, schema: ref(spec.payload) },
    };
    messages[`${id}Ack`] = {
      name: `${event} ack`,
      summary: 'The acknowledgement: `{ok: true, data}` or `{ok: false, error}`',
      payload: {
        schemaFormat: OPENAPI_SCHEMA,
        schema: {
          oneOf: [
            {
              type: 'object',
              required: ['ok', 'data'],
              properties: { ok: { type: 'boolean', enum: [true] }, data: ref(spec.ack) },
            },
            { $ref: '#/components/schemas/AckErrorDto' },
          ],
        },
      },
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    channelMessages[`${id}Ack`] = { $ref: `#/components/messages/${id}Ack` };
    operations[id] = {
      action: 'receive',
      channel: { $ref: '#/channels/messaging' },
      summary: spec.summary,
      messages: [{ $ref: `#/channels/messaging/messages/${id}` }],
      reply: {
        channel: { $ref: '#/channels/messaging' },
        messages: [{ $ref: `#/channels/messaging/messages/${id}Ack` }],
      },
    };
  }

  for (const [event, spec] of Object.entries(SERVER_EVENTS)) {
    const id = operationId(event);
    messages[id] = {
      name: event,
      title: event,
      summary: spec.summary,
      payload: { schemaFormat: OPENAPI_SCHEMA, schema: ref(spec.payload) },
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    operations[id] = {
      action: 'send',
      channel: { $ref: '#/channels/messaging' },
      summary: spec.summary,
      messages: [{ $ref: `#/channels/messaging/messages/${id}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Messaging service: Socket.IO events',
      version: '1.0.0',
      description:
        'Namespace `/messaging`, path `/socket.io`, WebSocket and long-polling. Connect with ' +
        '`io(baseUrl + "/messaging", { auth: { token: accessToken } })`; a bad, missing or revoked token ' +
        'is refused with `connect_error` whose message is `"unauthorized"` (`"unavailable"` while the ' +
        'database is unreachable: retry later). Every client→server event ' +
        'takes an acknowledgement callback. Delivery of events is at most once; after any reconnect, ' +
        'or when a `message:new` skips a seq, call `sync`. The sending socket gets its message in the ' +
        'ack, not as `message:new`. Payloads larger than 256 KiB close the connection. Every event but ' +
        '`message:send` (which has its own limit) counts against `RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE` ' +
        '(600) per user, across nodes (each node adds its counts every 100 ms): over it the ack is ' +
        '`429 RATE_LIMITED` with ' +
        '`details.retryAfterMs`, and a socket that sends 20 more before that time is disconnected. ' +
        'While a dependency is down an ack may be `503 UNAVAILABLE`: retry later.',
    },
    defaultContentType: 'application/json',
    servers: {
      app: {
        host: 'localhost:3000',
        protocol: 'ws',
        pathname: '/messaging',
        description: 'Socket.IO over the HTTP port',
        security: [{ $ref: '#/components/securitySchemes/token' }],
      },
    },
    channels: { messaging: { address: '/messaging', messages: channelMessages } },
    operations,
    components: {
      messages,
      schemas: openapi.components?.schemas ?? {},
      securitySchemes: {
        token: {
          type: 'httpApiKey',
          name: 'auth.token',
          in: 'query',
          description: 'The access token, passed as `auth: { token }` in the Socket.IO handshake',
        },
      },
    },
  };
}
