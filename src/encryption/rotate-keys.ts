import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { EncryptionModule } from './encryption.module';
import { EncryptionService } from './encryption.service';

@Module({ imports: [ConfigModule, DatabaseModule, EncryptionModule] })
class KeyRotationModule {}

/**
 * `npm run keys:rotate`: re-wraps every conversation data key onto the current (first) master
 * key of ENCRYPTION_KEYS. Message rows are untouched; running nodes keep working throughout.
 * Afterwards the old master key can be dropped from ENCRYPTION_KEYS.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(KeyRotationModule, {
    logger: ['error', 'warn', 'log'],
  });
  try {
    const encryption = app.get(EncryptionService);
    const count = await encryption.rotate();
    new Logger('KeyRotation').log(
      `re-wrapped ${count} data key(s) onto master key "${encryption.keyRing.current.id}"`,
    );
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Key rotation failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
