import { existsSync, renameSync, rmSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { openDataSource } from '../../src/database/data-source';
import { templateDir } from './database';

/** Builds the migrated PGlite template once; every embedded suite starts from a copy of it. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dir = templateDir();
  if (existsSync(dir)) return;
  const building = `${dir}.building-${process.pid}`;
  const dataSource = await openDataSource({ embeddedDir: building }, new Logger('TestTemplate'));
  await dataSource.destroy();
  rmSync(`${building}/.lock`, { recursive: true, force: true });
  renameSync(`${building}/pglite`, dir);
  rmSync(building, { recursive: true, force: true });
}
