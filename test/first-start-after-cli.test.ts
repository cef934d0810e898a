import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { printedBy } from './support/first-start.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'throughline.js');

/**
 * A CLI command run before the first `serve` (here `token create`, as a newcomer trying the
 * README's commands in another order would) creates the workspace. The first start must still
 * create the administrator and print its one-time credentials, and load the demo into the
 * still-empty desk: it used to start with no user at all and say nothing.
 */
describe('first start after a CLI command made the database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-cli-first-'));
  const env = {
    ...process.env,
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 't.db')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  let child: ChildProcess | null = null;
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the administrator, prints the credentials and loads the demo', async () => {
    const made = spawnSync(process.execPath, [BIN, 'token', 'create', '--name', 'early'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(made.status).toBe(0);

    child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const printed = printedBy(child);
    await printed.untilCredentials(150_000, 'no first-start credentials');
    const out = printed.out();
    expect(out).toMatch(/password: +\S{20}/);
    expect(out).toMatch(/Demo workspace loaded/);
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1]?.replace('localhost', '127.0.0.1');
    const token = /API token: +(tl_\S+)/.exec(out)?.[1];
    const res = await fetch(`${url}/api/v1/workspace`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { demo: boolean }).demo).toBe(true);
  }, 200_000);
});
