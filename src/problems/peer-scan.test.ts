import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { type App, buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { simulate } from '../simulate/index.js';
import type { DetectorInput } from './detector-input.js';
import { PeerScan } from './peer-scan.js';

/*
 * On PostgreSQL a catch-up and a pipeline batch of the detecting node run in separate
 * transactions and may read the messages held for the detector at the same time: each held
 * message must reach the detector once.
 */
describe('messages held for the detector, read by two transactions at once', () => {
  let app: App | null = null;
  let cleanup: (() => void) | null = null;
  afterAll(async () => {
    await app?.close();
    cleanup?.();
  });

  it('go to the first reader only', async () => {
    const db = await freshDatabaseUrl('postgres');
    cleanup = db.cleanup;
    const base = loadConfig({
      THROUGHLINE_DATABASE_URL: db.url,
      LOG_LEVEL: 'silent',
      THROUGHLINE_DEMO: 'false',
    });
    app = await buildApp({ config: { ...base, pipeline: { ...base.pipeline, workers: false } } });
    await app.start({ listen: false });
    const messages = [];
    for (const e of simulate({ scenario: 'demo', seed: 5 })) {
      if (e.type === 'message' && e.message.direction === 'in') messages.push(e.message);
      if (messages.length === 40) break;
    }
    const ws = app.workspace.workspaceId;
    await ingestStream(messages, {
      database: app.database,
      workspaceId: ws,
      pipeline: app.pipeline,
    });
    const k = app.database.db;
    const stored = await k.selectFrom('messages').select(['channel', 'external_id']).execute();
    expect(stored.length).toBe(40);
    // As a node that did not detect would have held them.
    await k
      .insertInto('detector_backlog')
      .values(
        stored.map((m, i) => ({
          workspace_id: ws,
          channel: m.channel,
          external_id: m.external_id,
          seq: i + 1,
          sent_at: 0,
          reopened: 0,
        })),
      )
      .execute();
    const peers = new PeerScan();
    let first: DetectorInput[] = [];
    let second: DetectorInput[] = [];
    let release = () => {};
    const hold = new Promise<void>((r) => {
      release = r;
    });
    let claimed = () => {};
    const readFirst = new Promise<void>((r) => {
      claimed = r;
    });
    const a = k.transaction().execute(async (trx) => {
      first = await peers.read(trx, ws);
      claimed();
      await hold;
    });
    await readFirst;
    const b = k.transaction().execute(async (trx) => {
      second = await peers.read(trx, ws);
    });
    // The second reader waits on the rows the first claimed; the first then commits.
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([a, b]);
    expect(first.length).toBe(40);
    expect(second).toEqual([]);
    const left = await k
      .selectFrom('detector_backlog')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  }, 60_000);
});
