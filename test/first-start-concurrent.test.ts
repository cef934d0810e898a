import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/**
 * Commands started at the same moment on a new (migrated, empty) SQLite desk each make sure its
 * workspace exists. They used to read "none", then one of them failed to write ("database is
 * locked", its read overtaken by another's commit) or to create the key file (EEXIST): the
 * flaky concurrent-replay test. All must succeed, with one workspace, one inbox, one key.
 */
describe('commands started at once on a new desk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-first-start-'));
  const env = {
    ...process.env,
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'desk.db')}`,
    THROUGHLINE_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('all succeed and make one workspace', async () => {
    expect(spawnSync(process.execPath, [BIN, 'migrate'], { env, encoding: 'utf8' }).status).toBe(0);
    const one = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'parked'], { env });
        let err = '';
        p.stderr.on('data', (d) => {
          err += d;
        });
        p.on('exit', (code) => resolve({ code, err }));
      });
    const runs = await Promise.all([one(), one(), one(), one()]);
    for (const r of runs) expect(r.code, r.err).toBe(0);
    const d = openDatabase(env.THROUGHLINE_DATABASE_URL);
    try {
      expect(await d.db.selectFrom('workspaces').select('id').execute()).toHaveLength(1);
      const inboxes = await d.db
        .selectFrom('queues')
        .select('id')
        .where('is_default', '=', 1)
        .execute();
      expect(inboxes).toHaveLength(1);
      const teams = await d.db.selectFrom('teams').select('name').execute();
      expect(new Set(teams.map((t) => t.name)).size).toBe(teams.length);
    } finally {
      await d.close();
    }
  }, 120_000);
});
