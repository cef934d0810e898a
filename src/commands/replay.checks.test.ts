import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINES, freshDatabaseUrl } from '../../test/support/engines.js';
import { openDatabase } from '../platform/db/database.js';
import { withApp } from './context.js';
import { replayCommand } from './replay.command.js';

/**
 * `replay` run in this process on a real desk (SQLite and PostgreSQL): what it takes of a line,
 * what it refuses and what it warns of, as `POST /api/v1/inbound` would (a batch line, a
 * `channelId`), and what it must not change without a word (bytes that are not UTF-8, a
 * duplicate that says something else).
 */
describe.each(ENGINES)('replay checks (%s)', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-replay-checks-'));
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const c of cleanups) c();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  /** A fresh desk: the environment `replay` reads, and the database to look into after. */
  const desk = async () => {
    const { url, cleanup } = await freshDatabaseUrl(engine);
    cleanups.push(cleanup);
    vi.stubEnv('THROUGHLINE_DATABASE_URL', url);
    vi.stubEnv('THROUGHLINE_DEMO', 'false');
    vi.stubEnv('LOG_LEVEL', 'warn');
    return url;
  };
  /** Runs `replay` on `lines` (strings, or bytes as they are), with what it says. */
  const replay = async (name: string, lines: (string | Buffer)[]) => {
    const file = join(dir, `${engine}-${name}.jsonl`);
    const bytes = lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, '\n']);
    writeFileSync(
      file,
      Buffer.concat(bytes.map((b) => (typeof b === 'string' ? Buffer.from(b) : b))),
    );
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out += String(c);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    try {
      const error = await replayCommand(file, { speed: 'max' }).then(
        () => null,
        (e: Error) => e.message,
      );
      return { out, err, error };
    } finally {
      vi.restoreAllMocks();
    }
  };
  const stored = async (url: string) => {
    const d = openDatabase(url);
    try {
      return await d.db
        .selectFrom('messages')
        .select(['external_id', 'channel_id', 'text'])
        .orderBy('external_id')
        .execute();
    } finally {
      await d.close();
    }
  };
  const msg = (i: number, extra: Record<string, unknown> = {}) => ({
    channel: 'sms',
    externalId: `SM${i}`,
    author: { id: `+1415555${1000 + i}` },
    text: `No signal at all in 94110 since this morning (${i})`,
    sentAt: new Date(Date.UTC(2025, 2, 4, 10, i)).toISOString(),
    ...extra,
  });
  const line = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify(msg(i, extra));

  it('takes a batch line as its messages, and refuses a channelId as the inbound API does', async () => {
    const url = await desk();
    const sms = 'sms-number-1';
    await withApp(async (app) => {
      await app.database.db
        .insertInto('channels')
        .values({
          id: sms,
          workspace_id: app.workspace.workspaceId,
          kind: 'sms',
          name: 'our SMS number',
          config_json: '{}',
          secrets_enc: null,
          created_at: Date.now(),
          disabled_at: null,
        })
        .execute();
    });
    const r = await replay('channels', [
      line(1, { channelId: sms }),
      line(2, { channelId: 'no-such-channel' }),
      JSON.stringify({ messages: [msg(3), msg(4, { channelId: sms })] }),
      JSON.stringify({ messages: [msg(5), { ...msg(6), author: undefined }] }),
      JSON.stringify({ messages: [msg(7), msg(8, { channelId: 'nope' })] }),
      line(9, { channel: 'x', channelId: sms }),
      JSON.stringify({ messages: [] }),
      line(10),
    ]);
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/^replayed 4 messages \(0 duplicates, 5 bad lines\) in /);
    expect(r.err).toMatch(
      /^line 2: channelId no-such-channel is not a channel of this desk, skipped$/m,
    );
    expect(r.err).toMatch(/^line 4: \/messages\/1\/author Expected required property, skipped$/m);
    expect(r.err).toMatch(
      /^line 5: \/messages\/1 channelId nope is not a channel of this desk, skipped$/m,
    );
    expect(r.err).toMatch(
      /^line 6: channelId sms-number-1 is a channel of kind sms; x messages need one of kind x, skipped$/m,
    );
    expect(r.err).toMatch(/^line 7: \/messages must hold at least one message, skipped$/m);
    expect(r.err).not.toMatch(/\/channel must be one of/);
    const rows = await stored(url);
    expect(rows.map((m) => [m.external_id, m.channel_id])).toEqual([
      ['SM1', sms],
      ['SM10', null],
      ['SM3', null],
      ['SM4', sms],
    ]);
  });

  it('fails when every message names a channel the desk does not have', async () => {
    await desk();
    const r = await replay('only-unknown', ['', line(1, { channelId: 'gone' })]);
    expect(r.error).toMatch(
      /is a message \(1 bad line\); the first, line 2: channelId gone is not a channel of this desk$/,
    );
  });

  it('warns of lines whose bytes are not UTF-8, naming them, and keeps them', async () => {
    const url = await desk();
    const latin1 = (i: number) => {
      const [head, tail] = line(i, { text: 'café SPLIT' }).split('é');
      return Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
    };
    const r = await replay('latin1', [
      line(1),
      latin1(2),
      line(3, { text: 'a real \uFFFD written as UTF-8' }),
      latin1(4),
    ]);
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/^replayed 4 messages \(0 duplicates, 0 bad lines\)/);
    expect(r.err).toContain(
      '2 lines held bytes that are not valid UTF-8, read as U+FFFD (\uFFFD): lines 2, 4; save the file as UTF-8',
    );
    const rows = await stored(url);
    expect(rows.find((m) => m.external_id === 'SM2')?.text).toBe('caf\uFFFD SPLIT');
  });

  it('counts in the not-UTF-8 warning and the progress total only the lines it takes', async () => {
    await desk();
    const latin1 = (i: number, extra: Record<string, unknown> = {}) => {
      const [head, tail] = line(i, { text: 'café SPLIT', ...extra }).split('é');
      return Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
    };
    // The progress line is drawn only on a terminal.
    const tty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    try {
      const r = await replay('latin1-refused', [
        latin1(1),
        latin1(2, { channelId: 'no-such-channel' }),
        JSON.stringify({ messages: [msg(3), msg(4, { channelId: 'gone' })] }),
        line(5),
      ]);
      expect(r.error).toBeNull();
      expect(r.out).toMatch(/^replayed 2 messages \(0 duplicates, 2 bad lines\)/);
      expect(r.err).toContain('1 line held bytes that are not valid UTF-8');
      expect(r.err).toMatch(/: line 1; save the file as UTF-8/);
      expect(r.err).toMatch(/replay: 2 \/ 2 /);
      expect(r.err).not.toMatch(/ \/ [345] /);
    } finally {
      process.stderr.isTTY = tty;
    }
  });

  it('refuses a message with neither text nor attachment, as the inbound API does', async () => {
    const url = await desk();
    const photo = [{ type: 'image', url: 'https://example.com/outage.jpg' }];
    const r = await replay('empty', [
      line(1, { text: '' }),
      line(2, { text: ' \n\t ' }),
      line(3, { text: '', attachments: [] }),
      line(4, { text: '', attachments: photo }),
      JSON.stringify({ messages: [msg(5), msg(6, { text: '' })] }),
      line(7),
    ]);
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/^replayed 2 messages \(0 duplicates, 4 bad lines\)/);
    const why = '/text is empty and the message has no attachment';
    expect(r.err).toContain(`line 1: ${why}`);
    expect(r.err).toContain(`line 2: ${why}`);
    expect(r.err).toContain(`line 3: ${why}`);
    expect(r.err).toContain(`line 5: /messages/1${why}`);
    expect((await stored(url)).map((m) => m.external_id)).toEqual(['SM4', 'SM7']);
  });

  it('keeps the first of a duplicate id, and names duplicates that say something else', async () => {
    const url = await desk();
    const first = await replay('first', [line(1)]);
    expect(first.error).toBeNull();
    // Out of event-time order (sorted in memory), so the lines named are those of the file.
    const r = await replay('again', [
      line(7, { text: 'the first SM7' }),
      // A re-delivery: fresh profile details, the same message.
      line(1, { author: { id: '+14155551001', followers: 12 } }),
      line(1, { text: 'DIFFERENT TEXT same id' }),
      line(2, { channelId: 'no-such-channel' }),
      line(7, { text: 'another SM7' }),
      line(8),
      line(8),
    ]);
    expect(r.error).toBeNull();
    expect(r.err).toMatch(/is not in event-time order/);
    expect(r.out).toMatch(/^replayed 2 messages \(4 duplicates, 1 bad lines\)/);
    expect(r.err).toContain(
      '2 duplicates with different content (the message first stored under its id is kept): line 3 (sms SM1), line 5 (sms SM7)',
    );
    const rows = await stored(url);
    expect(rows.map((m) => [m.external_id, m.text])).toEqual([
      ['SM1', msg(1).text],
      ['SM7', 'the first SM7'],
      ['SM8', msg(8).text],
    ]);
  });

  // QA: a file dated wholly after the machine's clock said "replayed 0 messages (0 duplicates,
  // 0 bad lines)" and succeeded, the lines left out said only on stderr: an outside checker
  // scored an empty desk. Left out they stay (a live desk's event time must not run ahead).
  it('fails when every message is dated after the clock, and counts those left out', async () => {
    const url = await desk();
    const ahead = (i: number, days: number) =>
      line(i, { sentAt: new Date(Date.now() + days * 86_400_000).toISOString() });
    const none = await replay('all-ahead', [ahead(1, 2), ahead(2, 3), 'not json']);
    expect(none.error).toMatch(
      /^no line of .*all-ahead\.jsonl was taken: its 2 messages are dated after this machine's clock \(the earliest \d{4}-/,
    );
    expect(none.out).not.toMatch(/replayed/);
    expect(await stored(url)).toEqual([]);
    const some = await replay('some-ahead', [line(1), ahead(2, 2), line(3)]);
    expect(some.error).toBeNull();
    expect(some.out).toMatch(
      /^replayed 2 messages \(0 duplicates, 0 bad lines, 1 dated in the future left out\) in /,
    );
    expect((await stored(url)).map((m) => m.external_id)).toEqual(['SM1', 'SM3']);
  });
});
