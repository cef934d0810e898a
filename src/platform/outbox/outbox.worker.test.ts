import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { newId } from '../ids.js';
import { OutboxWorker } from './outbox.worker.js';

/*
 * Stopping the worker (a SIGTERM) ends the delivery under way and hands the rest of its claimed
 * batch back, due now, instead of holding the shutdown while slow providers answer each one.
 */
describe('the outbox worker stopping mid-batch', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('delivers what it started and releases the rest for the next start', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const now = Date.now();
    const ids = Array.from({ length: 5 }, () => newId());
    await db
      .insertInto('outbox')
      .values(
        ids.map((id, i) => ({
          id,
          workspace_id: ws,
          kind: 'slow_test',
          idempotency_key: `slow:${i}`,
          payload_json: '{}',
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now - 1000 + i,
          last_error: null,
          created_at: now,
          delivered_at: null,
        })),
      )
      .execute();
    let started = 0;
    let release: () => void = () => {};
    const firstStarted = new Promise<void>((r) => {
      release = r;
    });
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      handlers: new Map([
        [
          'slow_test',
          async () => {
            started++;
            release();
            await new Promise((r) => setTimeout(r, 300));
          },
        ],
      ]),
    });
    worker.start();
    await firstStarted;
    await worker.stop();
    expect(started).toBe(1);
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'status', 'attempts', 'next_attempt_at'])
      .where('kind', '=', 'slow_test')
      .orderBy('next_attempt_at')
      .execute();
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(1);
    const back = rows.filter((r) => r.status === 'pending');
    expect(back).toHaveLength(4);
    // Due again at once (not after the one-minute lease), and no attempt spent.
    for (const r of back) {
      expect(Number(r.next_attempt_at)).toBeLessThanOrEqual(Date.now());
      expect(r.attempts).toBe(0);
    }
  });
});
