import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

describe('a new SQLite database', () => {
  it.runIf(process.platform !== 'win32')(
    'is readable by its owner only, with its WAL and shared-memory files',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'throughline-mode-'));
      try {
        const file = join(dir, 'nested', 'desk.db');
        const database = openDatabase(`sqlite:${file}`, { sqliteSynchronous: 'NORMAL' });
        await sql`create table t (x text)`.execute(database.db);
        await sql`insert into t values ('personal data')`.execute(database.db);
        for (const f of [file, `${file}-wal`, `${file}-shm`]) {
          expect([f, statSync(f).mode & 0o777]).toEqual([f, 0o600]);
        }
        expect(statSync(join(dir, 'nested')).mode & 0o077).toBe(0);
        await database.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
