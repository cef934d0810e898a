import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { ProblemWorker } from './problem.worker.js';
import { problemsWorld } from './test-world.js';

/*
 * The SLA clocks of cases a problem moves: waiting on the customer after a fix pauses them,
 * going back to the desk resumes them, the quiet period's resolution meets them. Before, the
 * problem's status changes left the clocks running: every case of a big outage breached its
 * resolution target while it waited out the quiet period, or after it was resolved.
 */
describe.each(ENGINES)('SLA of cases a problem moves, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, autoProblem, setStatus } = problemsWorld(() => t);
  const sla = async (caseId: string) =>
    (await api('GET', `/api/v1/cases/${caseId}/sla`)).json() as {
      paused: boolean;
      clocks: Record<string, { metAt: string | null; dueAt: string | null }>;
    };
  const pendingTimers = async (caseId: string) =>
    (
      await db()
        .selectFrom('timers')
        .select('kind')
        .where('ref_id', '=', caseId)
        .where('kind', 'like', 'sla.%')
        .where('status', '=', 'pending')
        .execute()
    ).map((r) => r.kind);

  it('a fix pauses the clocks, the quiet period meets them, and no deadline is left to fire', async () => {
    const cs = await cases(2);
    const [a, b] = cs.map((c) => c.case_id!);
    expect((await sla(a)).paused).toBe(false);
    expect(await pendingTimers(a)).not.toEqual([]);
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    for (const c of [a, b]) {
      expect((await sla(c)).paused).toBe(true);
      expect(await pendingTimers(c)).toEqual([]);
    }
    const later = () => Date.now() + 2 * 24 * 3_600_000;
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(2);
    for (const c of [a, b]) {
      const s = await sla(c);
      expect(s.paused).toBe(false);
      expect(s.clocks.resolution.metAt).not.toBeNull();
      expect(await pendingTimers(c)).toEqual([]);
    }
  });

  it('a case that leaves a fixed problem goes back to the desk with its clocks running again', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    const c = cs[0].case_id!;
    const un = await api('POST', `/api/v1/problems/${id}/links`, { unlink: [c] });
    expect(un.statusCode, un.body).toBe(200);
    const row = await db()
      .selectFrom('cases')
      .select('status')
      .where('id', '=', c)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
    expect((await sla(c)).paused).toBe(false);
    expect(await pendingTimers(c)).not.toEqual([]);
  });
});
