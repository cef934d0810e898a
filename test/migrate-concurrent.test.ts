import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/** The real CLI, started without waiting: its exit code and output when it ends. */
function start(env: NodeJS.ProcessEnv, args: string[]) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill(), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/*
 * Two processes starting on a new SQLite file at once (a server and a replay, two replays)
 * both migrate it: the second must wait for the first, not fail on a table it just made.
 */
describe('processes migrating a new SQLite file at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('all succeed, and the schema is applied once', async () => {
    const env = {
      ...process.env,
      THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'fresh.db')}`,
      THROUGHLINE_DEMO: 'false',
      LOG_LEVEL: 'warn',
    };
    const runs = await Promise.all([0, 1, 2].map(() => start(env, ['migrate'])));
    for (const r of runs) expect(r.code, r.out).toBe(0);
    const again = await start(env, ['migrate']);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/0 applied now/);
  }, 120_000);
});
