import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));
const TWCS = new URL('../../shared/data/twcs/twcs_first5000_telecom_threads.csv', import.meta.url)
  .pathname;

/** Runs the real CLI as a user would, against its own SQLite file. */
describe('the throughline CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-cli-'));
  const env = {
    ...process.env,
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
    LOG_LEVEL: 'warn',
  };
  const run = (args: string[], extraEnv: Record<string, string> = {}, input?: string) =>
    spawnSync(process.execPath, [BIN, ...args], {
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      timeout: 120_000,
      input,
    });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Imports twcs `rows` from a new file `name`, which the CLI must refuse (exit 1) having stored
   * nothing; returns the file and what the CLI said.
   */
  const refusedTwcs = (name: string, rows: string[]) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n${rows.join('\n')}\n`,
    );
    const db = new SQLite(join(dir, 'cli.db'), { readonly: true });
    const count = () => (db.prepare('select count(*) as n from messages').get() as { n: number }).n;
    try {
      const before = count();
      const res = run(['import', 'twcs', file]);
      expect(res.status).toBe(1);
      expect(count()).toBe(before);
      return { file, stderr: res.stderr };
    } finally {
      db.close();
    }
  };

  it('refuses to start on a bad config and lists every problem at once', () => {
    const res = run(['migrate'], {
      PORT: 'eighty',
      THROUGHLINE_DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/PORT must be an integer/);
    expect(res.stderr).toMatch(/THROUGHLINE_DATABASE_URL must be sqlite/);
    expect(res.stderr).toMatch(/LOG_LEVEL must be one of/);
  });

  it('migrates, then creates a token printed alone on stdout', () => {
    const first = run(['migrate']);
    expect(first.status, first.stderr).toBe(0);
    // A new database: every migration is applied now, and none the second time.
    expect(first.stdout).toMatch(/; ([1-9]\d*) applied now/);
    expect(run(['migrate']).stdout).toMatch(/; 0 applied now/);
    const res = run(['token', 'create', '--name', 'ci']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^tl_[A-Za-z0-9_-]{43}\n$/);
  });

  it('reads beside another process that holds the write lock longer than the busy timeout', () => {
    // A server's pipeline writing; before, a command that only reads waited at start-up (the
    // migration check, planner statistics) and failed with "database is locked".
    const other = new SQLite(join(dir, 'cli.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const res = run(['problems', 'list']);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).not.toMatch(/locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('creates a user with a one-time password, and refuses a duplicate', () => {
    const res = run(['user', 'create', '--email', 'ana@example.com', '--role', 'agent']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/one-time password: \S{20}/);
    const dup = run(['user', 'create', '--email', 'ana@example.com']);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
  });

  it('simulates to a file deterministically and replays it in event-time order, twice without duplicates', () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    expect(
      run(['simulate', '--scenario', 'demo', '--seed', '5', '--days', '1', '--out', a]).status,
    ).toBe(0);
    expect(
      run(['simulate', '--scenario', 'demo', '--seed', '5', '--days', '1', '--out', b]).status,
    ).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const lines = readFileSync(a, 'utf8').trim().split('\n');
    const messages = lines.filter((l) => !l.includes('"type":"incident"')).length;
    // Shuffle the file: replay must still go in event time.
    const shuffled = join(dir, 'shuffled.jsonl');
    writeFileSync(shuffled, `${[...lines].reverse().join('\n')}\nnot json\n`);
    const first = run(['replay', shuffled]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`replayed ${messages} messages \\(0 duplicates, 1 bad lines\\)`),
    );
    const again = run(['replay', a]);
    expect(again.stdout).toMatch(new RegExp(`replayed 0 messages \\(${messages} duplicates`));
  });

  it.runIf(existsSync(TWCS))('imports a twcs file through the pipeline', () => {
    const res = run(['import', 'twcs', TWCS]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/imported 818 messages \(0 already present, 0 rows skipped\)/);
    // History, not live work: its 199 threads are resolved cases without SLA clocks or breaches.
    const db = new SQLite(join(dir, 'cli.db'), { readonly: true });
    try {
      const imported = `select case_id from case_events where type = 'created' and data_json like '%"history":true%'`;
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count(`select count(*) as n from (${imported})`)).toBe(199);
      expect(
        count(
          `select count(*) as n from cases where id in (${imported}) and status in ('new', 'open', 'pending')`,
        ),
      ).toBe(0);
      expect(count(`select count(*) as n from case_sla where case_id in (${imported})`)).toBe(0);
      expect(count(`select count(*) as n from sla_events where case_id in (${imported})`)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('says in one line why a twcs import takes nothing, and fails', () => {
    const missing = run(['import', 'twcs', join(dir, 'nonexistent.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`error: ${join(dir, 'nonexistent.csv')}: no such file`);
    const folder = run(['import', 'twcs', dir]);
    expect(folder.status).toBe(1);
    expect(folder.stderr.trim()).toBe(`error: ${dir} is not a file`);
    const header =
      'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n';
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${header}bad,row\n1,sprintcare,False,notadate,hi,,\n`);
    const none = run(['import', 'twcs', bad]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^error: no row of .*bad\.csv is a tweet \(2 rows skipped\)$/m);
    const only = join(dir, 'header.csv');
    writeFileSync(only, header);
    const empty = run(['import', 'twcs', only]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/^error: .*header\.csv has no rows$/m);
  });

  it('fails a twcs import with a quote never closed, naming the line, and imports nothing', () => {
    const rows = [1, 2, 3, 4, 5, 6].map(
      (n) =>
        `91000${n},77800${n},True,Tue Oct 31 22:1${n}:47 +0000 2017,${n === 4 ? '"unclosed QA4' : `row QA${n}`},,`,
    );
    const { file, stderr } = refusedTwcs('stray-quote.csv', rows);
    expect(stderr.trim()).toBe(
      `error: ${file}: line 5: a quote opened in this record (tweet 910004) is never closed, so the rest of the file from there cannot be read as rows; nothing was imported. Close or remove the quote and import again`,
    );
  });

  it('fails a twcs import whose stray quote a later row closes, naming the lines, and imports nothing', () => {
    // Tweet 920002's quote is closed in 920004's text: 920003 and 920004 would join its text.
    const text = (n: number) => (n === 2 ? '"stray QA2' : n === 4 ? 'she said "hi"' : `row QA${n}`);
    const rows = [1, 2, 3, 4, 5].map(
      (n) => `92000${n},77900${n},True,Tue Oct 31 22:1${n}:47 +0000 2017,${text(n)},,`,
    );
    const { file, stderr } = refusedTwcs('joined-rows.csv', rows);
    expect(stderr.trim()).toBe(
      `error: ${file}: line 3: a quote opened in this record (tweet 920002) is closed only by a later row, so the row on line 4 (tweet 920003) and any after it up to the closing quote were read as part of one field; nothing was imported. Close or remove the quote and import again`,
    );
  });

  it('adds X and Meta channels from the command line, printing the id on the last line', async () => {
    const x = run([
      'channel',
      'add',
      'x',
      '--name',
      'acme-x',
      '--consumer-secret',
      'consumer-secret-123',
    ]);
    expect(x.status).toBe(0);
    const xId = x.stdout.trim().split('\n').at(-1);
    expect(xId).toMatch(/^[0-9a-f-]{36}$/);
    expect(x.stdout).toContain(`/webhooks/x/${xId}`);
    const meta = run([
      'channel',
      'add',
      'meta',
      '--name',
      'acme-fb',
      '--app-secret',
      'app-secret-123',
      '--verify-token',
      'vt',
    ]);
    expect(meta.status).toBe(0);
    const metaId = meta.stdout.trim().split('\n').at(-1);
    const { openDatabase } = await import('../src/platform/db/database.js');
    const db = openDatabase(env.THROUGHLINE_DATABASE_URL);
    try {
      const rows = await db.db
        .selectFrom('channels')
        .select(['id', 'kind', 'secrets_enc'])
        .execute();
      expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([xId, metaId]));
      // Credentials are encrypted at rest: the secret is not in the stored bytes.
      for (const r of rows) expect(r.secrets_enc ?? '').not.toContain('secret-123');
    } finally {
      await db.close();
    }
    const missing = run(['channel', 'add', 'meta', '--name', 'no-secret']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--app-secret/);
  });

  it('lists parked events (none) and classifies JSON lines from stdin', () => {
    const parked = run(['parked']);
    expect(parked.status).toBe(0);
    expect(parked.stdout).toMatch(/no parked events/);
    const res = run(
      ['classify'],
      {},
      '{"text":"my internet is down again in 94110, fix it!"}\nnot json\n',
    );
    expect(res.status).toBe(0);
    const out = res.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[0])).toMatchObject({ language: 'en', complaint: true });
    expect(JSON.parse(out[1])).toHaveProperty('error');
  });
});
