import { WebhookEventDto } from './dto/webhook.dto';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';

const OPENAPI_SCHEMA = 'application/vnd.oai.openapi+json;version=3.0.0';

const SUMMARIES: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  'message.created': 'A message was sent (system messages included): `data` is the Message',
  'message.updated': 'A message was edited, reacted to, or its reply count changed',
  'message.deleted': 'A message was deleted (or expired): `data` is its tombstone',
  'conversation.created': 'A conversation was created, or members were added to a group',
  'conversation.updated': 'Title, settings, members or roles of a conversation changed',
  'conversation.member_added': 'A user was added to a group (active, or invited)',
  'conversation.member_removed': 'A member left, was removed, or declined the invitation',
  'moderation.flagged': 'A moderation flag was opened on a message',
  'user.registered': 'A new account registered',
  'webhook.test': 'Sent by `POST /admin/webhooks/:id/test`',
};

/** Models of the webhook surface, for the OpenAPI document's schemas. */
export const webhookModels = () => [WebhookEventDto];

/**
 * Adds the outgoing webhooks to the AsyncAPI document: a `webhooks` channel (the address is
 * each webhook's URL) whose messages are the Standard Webhooks `POST`s the server sends.
 */
export function withWebhookEvents(doc: Record<string, unknown>): Record<string, unknown> {
  const components = doc.components as { messages: Record<string, unknown> };
  const channels = doc.channels as Record<string, unknown>;
  const operations = doc.operations as Record<string, unknown>;
  const headers = {
    type: 'object',
    required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    properties: {
      'content-type': { type: 'string', enum: ['application/json'] },
      'webhook-id': {
        type: 'string',
        format: 'uuid',
        description: 'the event id: the same on every retry, so a receiver drops repeats',
      },
      'webhook-timestamp': {
        type: 'string',
        description: 'seconds since the epoch, of the attempt',
      },
      'webhook-signature': {
        type: 'string',
        description:
          '`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret; two ' +
          'space-separated signatures while a rotated-out secret still signs (24 h)',
      },
    },
  };
  const channelMessages: Record<string, unknown> = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    const id = `webhook_${type.replace(/\./g, '_')}`;
    components.messages[id] = {
      name: type,
      title: type,
      summary: SUMMARIES[type],
      headers: { schemaFormat: OPENAPI_SCHEMA, schema: headers },
      payload: {
        schemaFormat: OPENAPI_SCHEMA,
        schema: { $ref: '#/components/schemas/WebhookEventDto' },
      },
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    operations[id] = {
      action: 'send',
      channel: { $ref: '#/channels/webhooks' },
      summary: SUMMARIES[type],
      messages: [{ $ref: `#/channels/webhooks/messages/${id}` }],
    };
  }
  channels.webhooks = {
    address: null,
    title: 'Outgoing webhooks (Standard Webhooks)',
    description:
      'Each webhook’s `url` (`POST /admin/webhooks`) gets a `POST` per event it subscribed to, ' +
      'body `{type, timestamp, data}`. A 2xx within 10 s is success; anything else is retried ' +
      'with exponential back-off for 24 h (the same `webhook-id` and body each time); redirects ' +
      'are not followed. At least once: receivers drop repeats by `webhook-id`. Message events ' +
      'of one conversation arrive in order. `at_rest` and `e2e` messages carry `content: null`, ' +
      '`contentOmitted: true`.',
    messages: channelMessages,
  };
  return doc;
}
