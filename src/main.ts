import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp, listen } from './app.setup';
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
  process.stdout.write(`Messaging service listening on ${url} (API docs: ${url}/docs)\n`);
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
