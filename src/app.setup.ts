import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppError } from './common/errors/app-error';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppValidationPipe } from './common/validation/app-validation.pipe';
import { AppConfig } from './config/app-config';
import { setupApiDocs } from './common/openapi/openapi';
import { buildAsyncApiDocument, socketModels } from './realtime/asyncapi';
import { AppIoAdapter } from './realtime/app-io.adapter';

export const API_PREFIX = 'api/v1';
const ROOT_ROUTES = ['health', 'health/ready', 'metrics'];

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
  app.useGlobalPipes(new AppValidationPipe());
  app.useBodyParser('json', { limit: '256kb' });
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins,
    credentials: false,
    exposedHeaders: ['Retry-After', 'ETag', 'Content-Disposition', 'X-Request-Id', 'Server-Timing'],
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.useWebSocketAdapter(new AppIoAdapter(app, config));
  app.enableShutdownHooks();
  setupApiDocs(app, socketModels(), buildAsyncApiDocument);
  return app;
}
