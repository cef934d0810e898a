import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../../test/support/suite.js';
import { newId } from '../ids.js';
import { outboxRow } from './outbox.row.js';
import { OutboxWorker } from './outbox.worker.js';

/*
 * QA: an escalation target that hangs (a webhook answering after 30 s) held every customer
 * reply of the batch behind it. Each target is a lane of its own now (outbox.lanes.ts).
 */
describe('outbox lanes', () => {
  const t = suiteApp('sqlite');

  it('delivers the desk’s rows while an escalation target hangs, and that target’s rows in order', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const now = Date.now();
    const done: string[] = [];
    let unhang: () => void = () => {};
    const hung = new Promise<void>((r) => {
      unhang = r;
    });
    const row = (kind: string, key: string, payload: unknown, at: number) =>
      outboxRow({ workspaceId: ws, kind, key, payload, now: at, id: newId() });
    await db
      .insertInto('outbox')
      .values([
        // The hanging target's two events come first in the queue, then another target's, then
        // a customer notice.
        row('problem_escalate', 'e1', { integrationId: 'slow', n: 1 }, now - 4000),
        row('problem_escalate', 'e2', { integrationId: 'slow', n: 2 }, now - 3000),
        row('problem_escalate', 'e3', { integrationId: 'fast', n: 3 }, now - 2000),
        row('desk_test', 'd1', { n: 4 }, now - 1000),
      ])
      .execute();
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      idleMs: 20,
      handlers: new Map([
        [
          'problem_escalate',
          async (p: unknown) => {
            const { integrationId, n } = p as { integrationId: string; n: number };
            if (integrationId === 'slow' && n === 1) await hung;
            done.push(`${integrationId}:${n}`);
          },
        ],
        [
          'desk_test',
          async () => {
            done.push('desk');
          },
        ],
      ]),
    });
    worker.start();
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 25));
      return test();
    };
    // The notice and the other target go while the first target still hangs.
    expect(await until(() => done.includes('desk') && done.includes('fast:3'))).toBe(true);
    expect(done).not.toContain('slow:1');
    expect(done).not.toContain('slow:2');
    unhang();
    expect(await until(() => done.includes('slow:2'))).toBe(true);
    // One target's events keep their order.
    expect(done.indexOf('slow:1')).toBeLessThan(done.indexOf('slow:2'));
    await worker.stop();
    const rows = await db.selectFrom('outbox').select(['status', 'attempts']).execute();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
  });
});
