import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/**
 * `throughline replay` as an independent scenario generator would use it: lines in the inbound
 * shape with fields of its own, written by other tools (a BOM, times without a zone), and run
 * beside a server on the same database.
 */
describe('throughline replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-replay-'));
  const env = (db: string) => ({
    ...process.env,
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, db)}`,
    THROUGHLINE_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  const run = (db: string, args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      env: env(db),
      encoding: 'utf8',
      timeout: 120_000,
    });
  let server: ChildProcess | null = null;
  afterAll(() => {
    if (server?.pid && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const line = (i: number, extra: Record<string, unknown> = {}, sentAt?: string) =>
    JSON.stringify({
      channel: 'sms',
      externalId: `SM${i}`,
      author: { id: `+1415555${String(1000 + i)}` },
      text: `No signal at all in 94110 since this morning (${i})`,
      sentAt: sentAt ?? new Date(Date.UTC(2025, 2, 4, 10, i)).toISOString(),
      ...extra,
    });
  const stored = async (db: string) => {
    const d = openDatabase(`sqlite:${join(dir, db)}`);
    try {
      const rows = await d.db
        .selectFrom('messages')
        .select(['external_id', 'sent_at'])
        .orderBy('external_id')
        .execute();
      const pending = await d.db
        .selectFrom('inbound_events')
        .select('seq')
        .where('status', '=', 'pending')
        .execute();
      return { rows, pending: pending.length };
    } finally {
      await d.close();
    }
  };

  it('drops fields it does not know, reads a BOM and zoneless times, and skips what is not a message', async () => {
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        `\uFEFF${line(1, { label: 'outage', incidentId: 'inc-7', truth: { complaint: true } })}`,
        line(2, { scenario: { seed: 3 } }),
        line(3, {}, '2025-03-04T10:03:00'),
        line(4, {}, '2025-02-31T10:00:00Z'),
        'null',
        '{"type":"incident","incident":{"id":"inc-7"}}',
        `${line(5).slice(0, -1)},"raw":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        '',
      ].join('\r\n'),
    );
    const res = run('mixed.db', ['replay', file, '--speed', 'max']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/replayed 3 messages \(0 duplicates, 3 bad lines\)/);
    expect(res.stderr).toMatch(/line 7: nested more than 64 levels deep, skipped/);
    expect(res.stderr).toMatch(/line 4: \/sentAt/);
    expect(res.stderr).toMatch(/line 5: not a JSON object/);
    expect(res.stderr).toMatch(/1 time without a zone was read as UTC/);
    const { rows, pending } = await stored('mixed.db');
    expect(rows.map((r) => r.external_id)).toEqual(['SM1', 'SM2', 'SM3']);
    expect(Number(rows[2].sent_at)).toBe(Date.UTC(2025, 2, 4, 10, 3));
    expect(pending).toBe(0);
  });

  it('leaves out lines dated in the future, so a live desk’s event time does not run ahead', async () => {
    const file = join(dir, 'ahead.jsonl');
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    writeFileSync(file, [line(1), line(2, {}, ahead), line(3)].join('\n'));
    const res = run('ahead.db', ['replay', file, '--speed', 'max']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /replayed 2 messages \(0 duplicates, 0 bad lines, 1 dated in the future left out\)/,
    );
    expect(res.stderr).toMatch(/1 messages dated in the future \(after now\) were left out/);
    const { rows } = await stored('ahead.db');
    expect(rows.map((r) => r.external_id)).toEqual(['SM1', 'SM3']);
  });

  // QA: a scenario dated wholly after the machine's clock exited 0 having taken nothing.
  it('fails, exit code 1, when every line is dated in the future', async () => {
    const file = join(dir, 'all-ahead.jsonl');
    const ahead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    writeFileSync(file, [line(1, {}, ahead(2)), line(2, {}, ahead(3))].join('\n'));
    const res = run('all-ahead.db', ['replay', file, '--speed', 'max']);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/was taken: its 2 messages are dated after this machine's clock/);
    expect(res.stdout).not.toMatch(/replayed/);
  });

  it('refuses a line dated before 2000 as the inbound API does, with its reason', async () => {
    const file = join(dir, 'old.jsonl');
    writeFileSync(file, [line(1, {}, '1990-01-01T00:00:00Z'), line(2)].join('\n'));
    const res = run('old.db', ['replay', file, '--speed', 'max']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/replayed 1 messages \(0 duplicates, 1 bad lines\)/);
    expect(res.stderr).toMatch(
      /line 1: \/sentAt 1990-01-01T00:00:00Z is before 2000-01-01T00:00:00Z \(an unset clock\?\), skipped/,
    );
    const { rows } = await stored('old.db');
    expect(rows.map((r) => r.external_id)).toEqual(['SM2']);
  });

  it('names the channels a line may have when its own is not one', async () => {
    const file = join(dir, 'pigeon.jsonl');
    writeFileSync(file, [line(1, { channel: 'pigeon' }), line(2)].join('\n'));
    const res = run('pigeon.db', ['replay', file, '--speed', 'max']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(
      /line 1: \/channel must be one of: x, facebook, [a-z, ]*sms[a-z, ]*, skipped/,
    );
  });

  it('streams a file in event-time order, and sorts one that is not before ingesting it', async () => {
    const inOrder = join(dir, 'in-order.jsonl');
    writeFileSync(inOrder, [line(1), line(2), line(3)].join('\n'));
    const a = run('in-order.db', ['replay', inOrder, '--speed', 'max']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).not.toMatch(/not in event-time order/);
    const shuffled = join(dir, 'shuffled.jsonl');
    writeFileSync(shuffled, [line(3), 'not json', line(1), line(2)].join('\n'));
    const b = run('shuffled.db', ['replay', shuffled, '--speed', 'max']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/replayed 3 messages \(0 duplicates, 1 bad lines\)/);
    expect(b.stderr).toMatch(/is not in event-time order: its 3 messages are sorted in memory/);
    // The bad line is said once, though the file is read twice.
    expect(b.stderr.match(/line 2: not JSON, skipped/g)).toHaveLength(1);
    const d = openDatabase(`sqlite:${join(dir, 'shuffled.db')}`);
    try {
      const events = await d.db
        .selectFrom('inbound_events')
        .select(['seq', 'sent_at'])
        .orderBy('seq')
        .execute();
      const times = events.map((e) => Number(e.sent_at));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(times).toHaveLength(3);
    } finally {
      await d.close();
    }
  });

  it('simulate --out to a folder that does not exist says so in one line', () => {
    const res = run('bad.db', [
      'simulate',
      '--scenario',
      'outage',
      '--out',
      join(dir, 'no', 'x.jsonl'),
    ]);
    expect(res.status).not.toBe(0);
    expect(res.stderr.trim()).toMatch(/^error: cannot write .*x\.jsonl: ENOENT/);
    expect(res.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/);
  });

  it('interrupted (Ctrl-C), lets go of its pipeline lease so the next replay need not wait', async () => {
    const file = join(dir, 'slow.jsonl');
    writeFileSync(file, `${Array.from({ length: 40 }, (_, i) => line(200 + i)).join('\n')}\n`);
    // One simulated minute between lines at 20×: three seconds each, two minutes in all.
    const child = spawn(process.execPath, [BIN, 'replay', file, '--speed', '20'], {
      env: env('slow.db'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const d = openDatabase(`sqlite:${join(dir, 'slow.db')}`);
    try {
      let held = 0;
      for (let i = 0; i < 300 && held === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        held = (
          await d.db
            .selectFrom('node_leases')
            .selectAll()
            .execute()
            .catch(() => [])
        ).length;
      }
      expect(held, err).toBe(1);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(err).toMatch(/SIGINT: stopping/);
      expect(await d.db.selectFrom('node_leases').selectAll().execute()).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await d.close();
    }
  }, 60_000);

  it('fails when no line is a message', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, 'not json\n{"channel":"sms"}\n');
    const res = run('bad.db', ['replay', file]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/no line of .* is a message \(2 bad lines\)/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const none = run('bad.db', ['replay', empty]);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/empty\.jsonl has no lines/);
    const folder = run('bad.db', ['replay', dir]);
    expect(folder.status).not.toBe(0);
    expect(folder.stderr).toContain(`${dir} is not a file`);
  });

  it('beside a running server, hands the events to its pipeline and returns once they are through', async () => {
    expect(run('live.db', ['migrate']).status).toBe(0);
    server = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...env('live.db'), PORT: '0', HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    // The server says it runs a pipeline (its lease) within a few seconds.
    const d = openDatabase(`sqlite:${join(dir, 'live.db')}`);
    try {
      for (let i = 0; i < 200; i++) {
        const lease = await d.db.selectFrom('node_leases').selectAll().executeTakeFirst();
        if (lease) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await d.db.selectFrom('node_leases').selectAll().execute()).toHaveLength(1);
    } finally {
      await d.close();
    }
    const file = join(dir, 'live.jsonl');
    writeFileSync(file, `${Array.from({ length: 40 }, (_, i) => line(100 + i)).join('\n')}\n`);
    const res = run('live.db', ['replay', file, '--speed', 'max']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/a server runs on this database/);
    expect(res.stdout).toMatch(/replayed 40 messages/);
    // Returned only once the server's pipeline had taken every event.
    const { rows, pending } = await stored('live.db');
    expect(rows).toHaveLength(40);
    expect(pending).toBe(0);
    server.kill('SIGTERM');
  });
});
