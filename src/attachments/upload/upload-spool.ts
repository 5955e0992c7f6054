import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';

/**
 * Where uploads wait on local disk while they stream in and are checked, before they are
 * stored (with either storage). Names are random; nothing from the client reaches a path.
 */
@Injectable()
export class UploadSpool implements OnModuleInit {
  readonly dir: string;

  constructor(config: AppConfig) {
    this.dir = join(config.attachments.uploadDir, '.incoming');
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** A fresh path in the spool. */
  newPath(): string {
    return join(this.dir, randomBytes(16).toString('hex'));
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Removes what a crash left behind: spooled files older than `ageMs`. */
  async removeStale(ageMs: number): Promise<void> {
    const cutoff = Date.now() - ageMs;
    for (const name of await readdir(this.dir).catch(() => [])) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) await this.remove(path);
    }
  }
}
