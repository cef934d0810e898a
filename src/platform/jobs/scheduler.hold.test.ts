import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteDatabase } from '../../../test/support/suite.js';
import { LiveBus } from '../realtime/bus.js';
import { Scheduler, type Timer } from './scheduler.js';

/**
 * A timer with `hold_from` is an event-time deadline (an SLA clock's): it is not due while the
 * inbound log of its workspace holds an unprocessed event between `hold_from` and its due time,
 * however far past it the wall clock is. Held timers stay pending and do not stall the tick.
 */
describe.each(ENGINES)('scheduler timers held by the inbound log on %s', (engine) => {
  const suite = suiteDatabase(engine);
  const db = () => suite.database.db;
  let seq = 0;
  const logged = async (ws: string, sentAt: number, status: 'pending' | 'parked' = 'pending') => {
    seq++;
    await db()
      .insertInto('inbound_events')
      .values({
        workspace_id: ws,
        channel: 'api',
        external_id: `e${seq}`,
        received_at: 0,
        payload_json: '{}',
        status,
        attempts: 0,
        next_attempt_at: 0,
        sent_at: sentAt,
      })
      .execute();
    return `e${seq}`;
  };
  const timer = (id: string, ws: string, dueAt: number, holdFrom: number | null) =>
    db()
      .insertInto('timers')
      .values({
        id,
        workspace_id: ws,
        kind: 'test:deadline',
        ref_id: id,
        due_at: dueAt,
        status: 'pending',
        created_at: 0,
        hold_from: holdFrom,
      })
      .execute();

  it('fires what nothing unprocessed can meet, holds the rest until the log has caught up', async () => {
    const fired: string[] = [];
    const scheduler = new Scheduler({
      database: suite.database,
      bus: new LiveBus(),
      clock: () => 1_000_000,
      // One a batch: held timers must not make a full batch that is claimed again and again.
      batchSize: 1,
      handlers: {
        test: {
          async many(_trx, timers: Timer[]) {
            fired.push(...timers.map((t) => t.id));
            return [];
          },
        },
      },
    });
    const waiting = await logged('w1', 1_000);
    await logged('w1', 400, 'parked');
    await timer('wall', 'w1', 2_000, null); // wall time only (a promise reminder)
    await timer('held', 'w1', 2_000, 500); // the event at 1 000 may meet it
    await timer('held-early', 'w1', 900, 0); // due before the event: nothing waiting meets it
    await timer('started-after', 'w1', 2_000, 1_500); // the event is older than its clock
    await timer('parked-only', 'w1', 450, 300); // a parked event is not waited for
    await timer('other-ws', 'w2', 2_000, 0); // another workspace's log
    expect(await scheduler.tick()).toBe(5);
    expect(fired.sort()).toEqual([
      'held-early',
      'other-ws',
      'parked-only',
      'started-after',
      'wall',
    ]);

    await db()
      .updateTable('inbound_events')
      .set({ status: 'done' })
      .where('external_id', '=', waiting)
      .execute();
    expect(await scheduler.tick()).toBe(1);
    expect(fired).toContain('held');
  });
});
