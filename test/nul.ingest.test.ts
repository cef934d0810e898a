import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDelivery } from '../src/channels/channel.ingest.js';
import { emptyDelivery } from '../src/channels/channel.parsed.js';
import { openDatabase } from '../src/platform/db/database.js';
import { classify } from '../src/triage/index.js';
import { aMessage } from './builders.js';
import { ENGINES, freshDatabaseUrl } from './support/engines.js';
import { suiteApp } from './support/suite.js';

/**
 * NUL characters (U+0000) in inbound customer messages, by every intake path (API, channel
 * delivery, replay). PostgreSQL cannot store one in text: the API answered 500, or accepted the
 * message and the pipeline parked it after retries, while SQLite stored it. Both engines must
 * keep the customer's text (NUL as U+FFFD) and refuse an identifier holding one up front.
 */
describe.each(ENGINES)('NUL characters in inbound messages on %s', (engine) => {
  const t = suiteApp(engine);

  const send = (method: 'POST', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });

  it('keeps customer text with a NUL as U+FFFD and refuses an identifier with one', async () => {
    const m = aMessage({
      text: 'Router says \u0000\u0000 then reboots',
      author: { id: `nul-author-${engine}`, name: 'Ana\u0000 Lima', location: 'Austin\u0000' },
    });
    const ok = await send('POST', '/api/v1/inbound', m);
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json().accepted).toBe(1);

    const badExternal = await send(
      'POST',
      '/api/v1/inbound',
      aMessage({ externalId: 'nul-2\u0000' }),
    );
    expect(badExternal.statusCode).toBe(400);
    expect(badExternal.json().error.message).toMatch(/\/externalId: NUL characters/);
    const badAuthor = await send('POST', '/api/v1/inbound', {
      messages: [aMessage(), aMessage({ author: { id: 'ra-2\u0000x' } })],
    });
    expect(badAuthor.statusCode).toBe(400);
    expect(badAuthor.json().error.message).toMatch(/\/messages\/1\/author\/id: NUL characters/);

    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select(['text', 'author_name'])
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    expect(row.text).toBe('Router says \uFFFD\uFFFD then reboots');
    expect(row.author_name).toBe('Ana\uFFFD Lima');
    expect(await parked()).toBe(0);
  });

  it('a channel delivery keeps NUL text and sets aside only the parts whose ids hold one', async () => {
    const good = aMessage({ channel: 'x', text: 'outage\u0000 again' });
    const bad = aMessage({ channel: 'x', author: { id: '12\u00003' } });
    const delivery = emptyDelivery();
    delivery.messages.push({ message: good }, { message: bad });
    delivery.marks.push({ channel: 'x', externalId: '9\u00009', kind: 'deleted', at: Date.now() });
    const summary = await ingestDelivery(
      {
        db: t.app.database.db,
        config: t.app.config,
        workspaceId: t.app.workspace.workspaceId,
        clock: Date.now,
        secretKey: Buffer.alloc(32),
        onAppended: () => {},
        classify,
      },
      'ch-test',
      delivery,
    );
    expect(summary).toMatchObject({ accepted: 1, marks: 0 });
    expect(delivery.ignored.map((i) => i.reason)).toEqual([
      '/author/id: NUL characters are not allowed in identifiers',
      'NUL characters are not allowed in identifiers',
    ]);
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select('text')
      .where('external_id', '=', good.externalId)
      .executeTakeFirstOrThrow();
    expect(row.text).toBe('outage\uFFFD again');
    expect(await parked()).toBe(0);
  });

  it('stores each lone surrogate in customer text as one U+FFFD, by the API and a channel delivery', async () => {
    // "\ud83d" alone in the JSON text, as a broken client sends half an emoji.
    const m = aMessage({ text: 'PLACEHOLDER', author: { id: `sur-${engine}`, name: 'Jo \udc4d' } });
    const body = JSON.stringify(m).replace(
      'PLACEHOLDER',
      'dead line \\ud83d then \\ud83d\\ude00 ok',
    );
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const viaX = aMessage({
      channel: 'x',
      text: 'no bars \ud83d',
      author: { id: `sur-x-${engine}` },
    });
    const delivery = emptyDelivery();
    delivery.messages.push({ message: viaX });
    await ingestDelivery(
      {
        db: t.app.database.db,
        config: t.app.config,
        workspaceId: t.app.workspace.workspaceId,
        clock: Date.now,
        secretKey: Buffer.alloc(32),
        onAppended: () => {},
        classify,
      },
      'ch-test',
      delivery,
    );
    await t.app.pipeline.drain();
    const rows = await t.app.database.db
      .selectFrom('messages')
      .select(['external_id', 'text', 'author_name'])
      .where('external_id', 'in', [m.externalId, viaX.externalId])
      .orderBy('external_id')
      .execute();
    const text = Object.fromEntries(rows.map((r) => [r.external_id, r.text]));
    expect(text[m.externalId]).toBe('dead line \uFFFD then \ud83d\ude00 ok');
    expect(text[viaX.externalId]).toBe('no bars \uFFFD');
    expect(rows.find((r) => r.external_id === m.externalId)?.author_name).toBe('Jo \uFFFD');
    expect(await parked()).toBe(0);
  });

  const parked = async () =>
    Number(
      (
        await t.app.database.db
          .selectFrom('inbound_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'parked')
          .executeTakeFirstOrThrow()
      ).n,
    );
});

describe.each(ENGINES)('throughline replay with NUL characters on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-nul-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

  it('stores NUL text as U+FFFD and skips a line whose author id holds one, with its reason', async () => {
    const { url, cleanup } = await freshDatabaseUrl(engine);
    const line = (i: number, over: Record<string, unknown>) =>
      JSON.stringify({
        channel: 'sms',
        externalId: `SM-nul-${i}`,
        author: { id: `+1415555100${i}` },
        text: 'No signal at all in 94110',
        sentAt: new Date(Date.UTC(2025, 2, 4, 10, i)).toISOString(),
        ...over,
      });
    const file = join(dir, 'nul.jsonl');
    writeFileSync(
      file,
      `${[line(1, { text: 'No signal\u0000 at all' }), line(2, { author: { id: 'ra-2\u0000x' } })].join('\n')}\n`,
    );
    const started = Date.now();
    const res = spawnSync(process.execPath, [BIN, 'replay', file, '--speed', 'max'], {
      env: {
        ...process.env,
        THROUGHLINE_DATABASE_URL: url,
        THROUGHLINE_DEMO: 'false',
        LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
      // The old code stalled about 90 s on PostgreSQL retrying the bad event before parking it.
      timeout: 60_000,
    });
    expect(res.status, res.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(res.stdout).toMatch(/replayed 1 messages \(0 duplicates, 1 bad lines\)/);
    expect(res.stdout).not.toMatch(/parked/);
    expect(res.stderr).toMatch(/line 2: \/author\/id: NUL characters are not allowed/);
    const d = openDatabase(url);
    try {
      const rows = await d.db.selectFrom('messages').select(['external_id', 'text']).execute();
      expect(rows).toEqual([{ external_id: 'SM-nul-1', text: 'No signal\uFFFD at all' }]);
    } finally {
      await d.close();
      cleanup();
    }
  });
});
