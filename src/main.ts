import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp, listen, shutDownGracefully } from './app.setup';
import { fromDependencyError } from './common/errors/dependency-errors';
import { AppConfig } from './config/app-config';
import { InvalidEnvironmentError } from './config/env.schema';
import { DataDirLockedError } from './database/embedded-lock';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  configureApp(app);
  const config = app.get(AppConfig);
  await listen(app, config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  process.stdout.write(
    `Messaging service listening on ${url}${config.docsEnabled ? ` (API docs: ${url}/docs)` : ''}\n`,
  );
  const logger = new Logger('Lifecycle');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: draining`);
      shutDownGracefully(app).then(
        (drained) => {
          if (!drained) logger.warn('work still in flight after the drain timeout');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  survivesDependencyErrors(logger);
}

/**
 * A connection error of PostgreSQL or Redis that escapes as an `error` event or a rejection
 * nobody awaited (a pooled client the server dropped while idle or checked out, a publish of
 * the Socket.IO adapter while Redis restarts) must not end the process: the clients reconnect
 * by themselves. Anything else still ends it, as Node would.
 */
function survivesDependencyErrors(logger: Logger): void {
  const judge = (kind: string) => (err: unknown) => {
    if (fromDependencyError(err)?.code === 'UNAVAILABLE') {
      logger.warn(`${kind} from a dependency survived: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    logger.error({ err }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', judge('uncaught exception'));
  process.on('unhandledRejection', judge('unhandled rejection'));
}

bootstrap().catch((err: unknown) => {
  // Configuration and lock problems are the operator's to fix: say so plainly, no stack.
  if (err instanceof InvalidEnvironmentError || err instanceof DataDirLockedError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(
      `Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
