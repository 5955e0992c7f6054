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
import { AppConfig } from './config/app-config';
import { setupApiDocs } from './common/openapi/openapi';
import { buildAsyncApiDocument, socketModels } from './realtime/asyncapi';
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

/** Everything the HTTP app needs beyond its modules; used by `main.ts` and by the e2e tests. */
export function configureApp(app: NestExpressApplication): INestApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
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
  app.useWebSocketAdapter(new AppIoAdapter(app, config));
  app.enableShutdownHooks();
  if (config.docsEnabled) setupApiDocs(app, socketModels(), buildAsyncApiDocument);
  return app;
}
