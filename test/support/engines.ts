import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { createDatabase } from './postgres.js';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** A database URL for a fresh, empty database on the given engine, and how to clean it up. */
export async function freshDatabaseUrl(engine: Engine): Promise<{ url: string; cleanup(): void }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-sqlite-'));
    return {
      url: `sqlite:${join(dir, 'test.db')}`,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(inject('pgUrl'), name);
  return { url, cleanup: () => {} };
}

export async function freshDatabase(
  engine: Engine,
): Promise<{ database: Database; url: string; cleanup(): Promise<void> }> {
  const { url, cleanup } = await freshDatabaseUrl(engine);
  const database = openDatabase(url, { sqliteSynchronous: 'NORMAL' });
  return {
    database,
    url,
    async cleanup() {
      await database.close();
      cleanup();
    },
  };
}

export type FreshDatabase = Awaited<ReturnType<typeof freshDatabase>>;

/** A fresh database of the given engine with every migration applied: what query tests start on. */
export async function migratedDatabase(engine: Engine): Promise<FreshDatabase> {
  const fresh = await freshDatabase(engine);
  await migrateToLatest(fresh.database);
  return fresh;
}
