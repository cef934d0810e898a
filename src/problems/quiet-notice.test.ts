import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import type { Sender } from '../channels/sender.js';
import { handleNotice, noticeRowOf } from '../notify/test-world.js';
import { insertLinks, insertProblem } from './problem.store.js';
import { ProblemWorker } from './problem.worker.js';
import { aProblem, problemsWorld } from './test-world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The quiet period after a fix resolves a case only once its customer was told of the fix, and
 * counts from when they were told.
 * Before, cases resolved "after the quiet period" while their fix notice was still queued
 * (X rate-limited, say): the loop was closed with customers who had heard nothing.
 */
describe.each(ENGINES)('quiet period and undelivered notices on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;
  const phone = () => `+1556${engine === 'sqlite' ? 1 : 2}${String(++k).padStart(6, '0')}`;

  /** The fix notice of a case through the real handler, with these senders. */
  async function deliver(caseId: string, senders: Map<string, Sender>, at: number) {
    await handleNotice(t, senders, await noticeRowOf(w.db(), caseId), () => at);
  }
  const cases = async (ids: (string | null)[]) =>
    Object.fromEntries(
      (
        await w
          .db()
          .selectFrom('cases')
          .select(['id', 'status', 'status_reason'])
          .where('id', 'in', ids as string[])
          .execute()
      ).map((r) => [r.id, { status: r.status, reason: r.status_reason }]),
    );

  it('a queued notice holds its case pending; sent it resolves, undeliverable it goes to the desk', async () => {
    const { cs, fixedAt } = await w.fixedSms([phone(), phone()], 2 * HOUR, false);
    const [a, b] = cs.map((c) => c.case_id!);
    const worker = new ProblemWorker({
      database: t.app.database,
      clock: () => fixedAt + 25 * HOUR,
    });

    // Past the quiet period, both notices still queued: nobody resolves.
    expect(await worker.runOnce()).toBe(0);
    expect(await cases([a, b])).toEqual({
      [a]: { status: 'pending', reason: 'customer' },
      [b]: { status: 'pending', reason: 'customer' },
    });

    // a's notice is sent: a resolves on the next run, b still waits.
    await deliver(
      a,
      new Map([['sms', (async () => ({ externalId: 'SM-q' })) as Sender]]),
      fixedAt + MIN,
    );
    expect(await worker.runOnce()).toBe(1);
    expect((await cases([a, b]))[a].status).toBe('resolved');
    expect((await cases([a, b]))[b].status).toBe('pending');

    // b's notice finds no route (no SMS sender): back to the desk, saying why.
    await deliver(b, new Map(), fixedAt + 2 * MIN);
    expect(await worker.runOnce()).toBe(0);
    expect((await cases([b]))[b]).toEqual({ status: 'open', reason: 'customer_not_notified' });
    const api = (await w.api('GET', `/api/v1/cases/${b}`)).json();
    expect(api.statusReason ?? api.case?.statusReason).toBe('customer_not_notified');
  });

  /**
   * The quiet period counted from the fix: a customer whose notice X held back 20 minutes had 20
   * minutes less to say it is still broken than the others. Now it counts from the delivery.
   */
  it('the quiet period runs from when each customer was told, not from the fix', async () => {
    const { cs, fixedAt } = await w.fixedSms([phone(), phone()], 2 * HOUR, false);
    const [a, b] = cs.map((c) => c.case_id!);
    const sms = new Map([['sms', (async (m) => ({ externalId: `SM-${m.messageId}` })) as Sender]]);
    await deliver(a, sms, fixedAt + 2 * MIN);
    // b's notice went out late (the provider held it).
    await deliver(b, sms, fixedAt + 20 * MIN);
    const quiet = 24 * HOUR;
    const at = (ms: number) => new ProblemWorker({ database: t.app.database, clock: () => ms });

    // The quiet period from the fix is over, but a was told only 2 minutes after it.
    expect(await at(fixedAt + quiet + MIN).runOnce()).toBe(0);
    // a's is over; b, told 18 minutes later, still has time to say it is still broken.
    expect(await at(fixedAt + 2 * MIN + quiet).runOnce()).toBe(1);
    expect(await cases([a, b])).toEqual({
      [a]: { status: 'resolved', reason: null },
      [b]: { status: 'pending', reason: 'customer' },
    });
    expect(await at(fixedAt + 20 * MIN + quiet - 1).runOnce()).toBe(0);
    expect(await at(fixedAt + 20 * MIN + quiet).runOnce()).toBe(1);
    expect((await cases([b]))[b].status).toBe('resolved');
  });

  /**
   * QA: a trouble came back after its fix, and the new problem took the old cases; the first
   * problem's quiet period then resolved them while the new one was still open.
   */
  it('a case another problem holds waits for that problem’s fix and quiet period', async () => {
    const { cs, fixedAt } = await w.fixedSms([phone()], 2 * HOUR, true);
    const caseId = cs[0].case_id!;
    const worker = (ms: number) => new ProblemWorker({ database: t.app.database, clock: () => ms });
    const again = await w.autoProblem(cs);
    expect(await worker(fixedAt + 25 * HOUR).runOnce()).toBe(0);
    expect((await cases([caseId]))[caseId]).toEqual({ status: 'pending', reason: 'customer' });
    // The new problem is fixed too: its own quiet period holds the case, then it resolves.
    expect((await w.setStatus(again, { status: 'fixed' })).statusCode).toBe(200);
    const againFixed = Number((await w.problem(again)).fixed_at);
    expect(await worker(againFixed + HOUR).runOnce()).toBe(0);
    expect(await worker(againFixed + 24 * HOUR).runOnce()).toBe(1);
    expect((await cases([caseId]))[caseId].status).toBe('resolved');
  });

  it('a team’s open process problem holding the case too does not hold its resolution', async () => {
    const { cs, fixedAt } = await w.fixedSms([phone()], 2 * HOUR, true);
    const c = cs[0];
    const proc = await insertProblem(
      w.db(),
      w.ws(),
      aProblem(fixedAt, { kind: 'process', title: 'Spike of broken promises', topic: null }),
      fixedAt,
    );
    const link = { caseId: c.case_id!, customerId: c.customer_id!, source: 'auto' as const };
    await insertLinks(
      w.db(),
      w.ws(),
      [{ ...link, problemId: proc.id, linkedAt: fixedAt }],
      fixedAt,
    );
    const worker = new ProblemWorker({
      database: t.app.database,
      clock: () => fixedAt + 24 * HOUR,
    });
    expect(await worker.runOnce()).toBe(1);
  });

  it('a silent fix told no one: the quiet period runs from the fix', async () => {
    const { fixedAt } = await w.fixedSms([phone()], 2 * HOUR, true);
    const worker = (ms: number) => new ProblemWorker({ database: t.app.database, clock: () => ms });
    expect(await worker(fixedAt + 24 * HOUR - 1).runOnce()).toBe(0);
    expect(await worker(fixedAt + 24 * HOUR).runOnce()).toBe(1);
  });
});
