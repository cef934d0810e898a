import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.js';
import { ENGINES, freshDatabaseUrl } from './support/engines.js';
import { problemSummary } from './support/nodes.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/**
 * Two `throughline replay` runs of one file at once on one database: when each returns, the
 * detector has seen every event, and the problems are those of a single replay. Was: each
 * process ran a pipeline; on SQLite each detected its part of the traffic, on PostgreSQL the
 * detecting process returned before it read the other's last batch, which nobody read then.
 */
describe.each(ENGINES)('two concurrent replays on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-replay2-'));
  const file = join(dir, 'demo.jsonl');
  const env = (url: string) => ({
    ...process.env,
    THROUGHLINE_DATABASE_URL: url,
    THROUGHLINE_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  const cli = (url: string, args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, ...args], { env: env(url) });
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
      });
      p.stderr.on('data', (d) => {
        out += d;
      });
      p.on('exit', (code) => resolve({ code, out }));
    });
  /** Per problem (by title): customers and live links. */
  const problems = async (url: string) => {
    const d = openDatabase(url);
    try {
      return await problemSummary(d.db);
    } finally {
      await d.close();
    }
  };
  beforeAll(() => {
    const sim = ['simulate', '--scenario', 'demo', '--seed', '3', '--out', file];
    const res = spawnSync(process.execPath, [BIN, ...sim], { env: env(''), encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each returns with every event seen; the problems are one replay’s', async () => {
    const replay = ['replay', file, '--speed', 'max'];
    const one = (await freshDatabaseUrl(engine)).url;
    const two = (await freshDatabaseUrl(engine)).url;
    // Migrated first: this is about the replays, not about two processes migrating at once.
    const [single, migrated] = await Promise.all([cli(one, replay), cli(two, ['migrate'])]);
    expect(single.code, single.out).toBe(0);
    expect(migrated.code, migrated.out).toBe(0);
    const expected = await problems(one);
    expect(expected.join('; ')).toMatch(/94110|San Francisco/);
    const both = await Promise.all([cli(two, replay), cli(two, replay)]);
    for (const r of both) expect(r.code, r.out).toBe(0);
    // Read as soon as the first of them returned would do; both have.
    expect(await problems(two)).toEqual(expected);
  }, 60_000);
});
