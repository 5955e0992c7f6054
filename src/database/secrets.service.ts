import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Sql } from './sql';

/**
 * Secrets that may be generated outside production: created once and kept in the database
 * (the embedded one lives in DATA_DIR), so every node of a cluster shares the same value.
 */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger('Secrets');

  constructor(
    private readonly sql: Sql,
    private readonly config: AppConfig,
  ) {}

  async resolve(name: string, fromEnv: string | null, generate: () => string): Promise<string> {
    if (fromEnv) return fromEnv;
    if (this.config.production) {
      throw new Error(`${name} must be set in the environment when NODE_ENV=production`);
    }
    const inserted = await this.sql.rows(
      `INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name, generate()],
    );
    if (inserted.length > 0) {
      this.logger.warn(
        `${name} was not set: generated one and stored it with the data. Set ${name} in production.`,
      );
    }
    const stored = await this.sql.row<{ value: string }>(
      `SELECT value FROM app_secrets WHERE name = $1`,
      [name],
    );
    if (!stored) throw new Error(`secret ${name} vanished`);
    return stored.value;
  }
}
