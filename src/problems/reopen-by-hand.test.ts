import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { ProblemWorker } from './problem.worker.js';
import { addWebhookTarget, patchProblemSettings, problemsWorld } from './test-world.js';

/**
 * A person taking a problem back to work from a fix — from fixed, verified or closed — does what
 * the automatic reopening does (`reopen.ts` `backToFixing`): the fix is cleared, the cases that
 * waited on it go back to the desk with no resolution scheduled, and none resolves as "fixed"
 * while the team works on it again. (Closed was missed: a fixed problem that was closed and then
 * reopened kept its cases on the old fix's timer, and they resolved while it was fixing.)
 */
describe.each(ENGINES)('a problem reopened by hand on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
    await addWebhookTarget(t);
    const patch = await patchProblemSettings(t, { quietPeriodMinutes: 3 });
    expect(patch.statusCode, patch.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });
  const { db, api, cases, autoProblem, problem, escalations, caseRows } = problemsWorld(() => t);

  const links = (id: string) =>
    db()
      .selectFrom('problem_links')
      .select(['case_id', 'resolve_due_at'])
      .where('problem_id', '=', id)
      .execute();
  const later = () => Date.now() + 10 * 60_000;

  for (const [path, back] of [
    [['fixed', 'closed'], 'fixing'],
    [['fixed', 'closed'], 'confirmed'],
    [['fixed', 'verified', 'closed'], 'fixing'],
    [['fixed', 'verified'], 'fixing'],
  ] as const) {
    it(`${path.join(' → ')} → ${back}: the cases leave the old fix's timer`, async () => {
      const cs = await cases(3);
      const id = await autoProblem(cs);
      for (const s of path) {
        const res = await api('POST', `/api/v1/problems/${id}/status`, { status: s });
        expect(res.statusCode, res.body).toBe(200);
      }
      expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(
        Array(3).fill('pending'),
      );
      const res = await api('POST', `/api/v1/problems/${id}/status`, {
        status: back,
        body: 'It broke again.',
      });
      expect(res.statusCode, res.body).toBe(200);
      const p = await problem(id);
      expect(p.status).toBe(back);
      expect(p.fixed_at).toBeNull();
      expect(p.fixed_event_at).toBeNull();
      expect(p.closed_at).toBeNull();
      expect(Number(p.still_broken_count)).toBe(0);
      for (const l of await links(id)) expect(l.resolve_due_at).toBeNull();
      expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(
        Array(3).fill('open'),
      );
      expect((await escalations(id)).at(-1)).toBe('problem.reopened');
      // Well past the quiet period: nothing resolves on the old fix.
      expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(0);
      expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(
        Array(3).fill('open'),
      );
    });
  }
});
