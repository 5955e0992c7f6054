import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppError } from './common/errors/app-error';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppValidationPipe } from './common/validation/app-validation.pipe';
import { UndeclaredQueryInterceptor } from './common/validation/undeclared-query.interceptor';
import { Drain } from './common/lifecycle/drain';
import { AppConfig } from './config/app-config';
import { setupApiDocs } from './common/openapi/openapi';
import { buildAsyncApiDocument, socketModels } from './realtime/asyncapi';
import { webhookModels, withWebhookEvents } from './webhooks/webhooks-asyncapi';
import { AppIoAdapter } from './realtime/app-io.adapter';

export const API_PREFIX = 'api/v1';
const ROOT_ROUTES = ['health', 'health/ready', 'metrics'];
/** API.md: JSON bodies over 1 MiB are `413 PAYLOAD_TOO_LARGE`. */
export const MAX_JSON_BODY = '1mb';

/** A Host header safe to repeat inside a CSP source list (no spaces, `;` or `,`). */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Same-origin WebSocket sources: CSP 3 lets `'self'` match `ws:`/`wss:` of the page's own
 * host, but older browsers (Safari before 15.4) do not, and Socket.IO would fail there.
 */
const sameOriginSockets = (req: IncomingMessage): string => {
  const host = req.headers.host ?? '';
  return HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
};

/**
 * Helmet's defaults, with a CSP that fits both Swagger UI at /docs (its scripts are files, its
 * styles partly inline, its icons data: URIs) and a Vite-built web client at / (module scripts
 * from 'self', no inline script, API calls and the socket to the same origin). Resources may be
 * read cross-origin: the API is meant for clients on CORS_ORIGINS and needs no cookies.
 */
const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
        'connect-src': ["'self'", sameOriginSockets],
        'worker-src': ["'self'", 'blob:'],
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });

/**
 * Initialises the app and starts listening. Requests that match no route anywhere (Nest only
 * answers those under the API prefix) get the API's 404 error body too.
 */
export async function listen(
  app: NestExpressApplication,
  port: number,
  host?: string,
): Promise<void> {
  await app.init();
  const filter = new AllExceptionsFilter();
  app.use((req: Request, res: Response) => {
    res.status(404).json(filter.toBody(AppError.notFound(), req.headers['accept-language']));
  });
  await (host ? app.listen(port, host) : app.listen(port));
}

const socketAdapters = new WeakMap<INestApplication, AppIoAdapter>();

/**
 * Counts every request while it runs; once the node drains, a request that still arrives (on
 * a kept-alive connection) gets `503 UNAVAILABLE` and `Connection: close`.
 */
function drainGate(drain: Drain, filter: AllExceptionsFilter) {
  return (req: Request, res: Response, next: () => void): void => {
    if (drain.isDraining) {
      res.setHeader('Connection', 'close');
      res
        .status(503)
        .json(filter.toBody(new AppError('UNAVAILABLE'), req.headers['accept-language']));
      return;
    }
    res.once('close', drain.enter());
    next();
  };
}

/**
 * SIGTERM: stop accepting (the port closes, idle kept-alive connections end), let in-flight
 * requests and socket events finish (at most `timeoutMs`), close every socket's transport so
 * its client reconnects to another node, then close the app (queues, Redis, database).
 * Returns whether everything in flight had finished.
 */
export async function shutDownGracefully(
  app: NestExpressApplication,
  timeoutMs = 10_000,
): Promise<boolean> {
  const server = app.getHttpServer();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const { drained } = await app.get(Drain).start(timeoutMs);
  socketAdapters.get(app)?.dropClients();
  server.closeAllConnections();
  await closed;
  await app.close();
  return drained;
}

/** Everything the HTTP app needs beyond its modules; used by `main.ts` and by the e2e tests. */
export function configureApp(app: NestExpressApplication): INestApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.use(drainGate(app.get(Drain), new AllExceptionsFilter()));
  app.setGlobalPrefix(API_PREFIX, {
    exclude: ROOT_ROUTES.map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.use(securityHeaders());
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalInterceptors(new UndeclaredQueryInterceptor(app.get(Reflector)));
  app.useBodyParser('json', { limit: MAX_JSON_BODY });
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins,
    credentials: false,
    exposedHeaders: ['Retry-After', 'ETag', 'Content-Disposition', 'X-Request-Id', 'Server-Timing'],
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const sockets = new AppIoAdapter(app, config);
  socketAdapters.set(app, sockets);
  app.useWebSocketAdapter(sockets);
  if (config.docsEnabled) {
    setupApiDocs(app, [...socketModels(), ...webhookModels()], (openapi) =>
      withWebhookEvents(buildAsyncApiDocument(openapi)),
    );
  }
  return app;
}
