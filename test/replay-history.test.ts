import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/**
 * The journey a newcomer makes after `npm start`: the desk runs with its demo workspace (traffic
 * of today), and they replay the simulator's outage of a past Monday into it. Today's detector
 * stands months after that outage; the replay must still raise it, in its own time, while the
 * server keeps running. Before, nothing was raised, and the replay failed with "database is
 * locked" while the server's detector walked the months between for every late message.
 */
describe('throughline replay of history into a running desk that has seen later traffic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-replay-history-'));
  const env = {
    ...process.env,
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'desk.db')}`,
    THROUGHLINE_DEMO: 'true',
    LOG_LEVEL: 'warn',
  };
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  let server: ChildProcess | null = null;
  afterAll(() => {
    if (server?.pid && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the replayed outage in its own time, beside the demo’s problems', async () => {
    server = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...env, PORT: '0', HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    const d = openDatabase(env.THROUGHLINE_DATABASE_URL);
    try {
      // The demo workspace is loaded and its traffic has been through the detector.
      let clock: number | null = null;
      for (let i = 0; i < 600 && clock === null; i++) {
        const row = await d.db
          .selectFrom('detector_clock')
          .select('event_at')
          .executeTakeFirst()
          .catch(() => undefined);
        if (row) clock = Number(row.event_at);
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(clock).not.toBeNull();
      const file = join(dir, 'outage.jsonl');
      const sim = run(['simulate', '--scenario', 'outage', '--seed', '7', '--out', file]);
      expect(sim.status, sim.stderr).toBe(0);
      const res = run(['replay', file, '--speed', 'max']);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/a server runs on this database/);
      // The scenario's outage starts on its fixed Monday, long before the demo's today.
      const monday = Date.UTC(2025, 2, 3);
      expect(clock!).toBeGreaterThan(monday + 30 * 86_400_000);
      const replayed = await d.db
        .selectFrom('problems')
        .select(['title', 'customer_count', 'detected_at'])
        .where('detected_at', '>=', monday)
        .where('detected_at', '<', monday + 86_400_000)
        .execute();
      expect(replayed.map((p) => p.title)).toContain('outage — San Francisco');
      expect(Math.max(...replayed.map((p) => p.customer_count))).toBeGreaterThan(200);
      // The server's event clock did not run back to last year.
      const after = await d.db.selectFrom('detector_clock').select('event_at').executeTakeFirst();
      expect(Number(after?.event_at)).toBeGreaterThanOrEqual(clock!);
    } finally {
      await d.close();
    }
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  });

  it('simulated history sent straight into the desk leaves today’s problems alone', async () => {
    // No server now: the command runs its own pipeline, whose detector is built at the
    // simulated Monday. It must not see today's problems as open then (it merged a Los Angeles
    // outage of last year into the demo's San Francisco one of today).
    const d = openDatabase(env.THROUGHLINE_DATABASE_URL);
    const today = () =>
      d.db
        .selectFrom('problems')
        .select(['id', 'title', 'status', 'customer_count'])
        .where('detected_at', '>', Date.now() - 7 * 86_400_000)
        .orderBy('id')
        .execute();
    try {
      const before = await today();
      expect(before.length).toBeGreaterThan(0);
      const sim = run(['simulate', '--scenario', 'outage', '--seed', '9', '--start', '2025-06-02']);
      expect(sim.status, sim.stderr).toBe(0);
      expect(sim.stdout).toMatch(/ingested \d+ simulated messages/);
      expect(await today()).toEqual(before);
      const june = Date.UTC(2025, 5, 2);
      const raised = await d.db
        .selectFrom('problems')
        .select(['customer_count'])
        .where('detected_at', '>=', june)
        .where('detected_at', '<', june + 86_400_000)
        .execute();
      expect(Math.max(0, ...raised.map((p) => p.customer_count))).toBeGreaterThan(100);
    } finally {
      await d.close();
    }
  });
});
