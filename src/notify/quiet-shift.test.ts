import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { ProblemWorker } from '../problems/problem.worker.js';
import { patchProblemSettings, problemsWorld } from '../problems/test-world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * A new quiet period applies to the cases already waiting on a fix, counted from the same moment
 * (the fix, or their customer's fix notice). It used to apply only to later fixes: the due time
 * was stored per case when the fix went out, so a desk shortening the period still waited a day.
 */
describe.each(ENGINES)('changing the quiet period on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;
  const phone = () => `+1557${engine === 'sqlite' ? 1 : 2}${String(++k).padStart(6, '0')}`;
  const at = (ms: number) => new ProblemWorker({ database: t.app.database, clock: () => ms });
  const quiet = async (minutes: number) => {
    const r = await patchProblemSettings(t, { quietPeriodMinutes: minutes });
    expect(r.statusCode, r.body).toBe(200);
  };

  it('shorter: a case waiting since the fix resolves on the new time', async () => {
    // A silent fix: the quiet period (24 h by default) counts from the fix.
    const { cs, fixedAt } = await w.fixedSms([phone()], 2 * HOUR, true);
    await quiet(60);
    try {
      expect(await at(fixedAt + 60 * MIN - 1).runOnce()).toBe(0);
      expect(await at(fixedAt + 60 * MIN).runOnce()).toBe(1);
      const c = await w
        .db()
        .selectFrom('cases')
        .select('status')
        .where('id', '=', cs[0].case_id!)
        .executeTakeFirstOrThrow();
      expect(c.status).toBe('resolved');
    } finally {
      await quiet(24 * 60);
    }
  });

  it('longer: a case waits the new period, not the old one', async () => {
    const { fixedAt } = await w.fixedSms([phone()], 2 * HOUR, true);
    await quiet(48 * 60);
    try {
      expect(await at(fixedAt + 24 * HOUR).runOnce()).toBe(0);
      expect(await at(fixedAt + 48 * HOUR).runOnce()).toBe(1);
    } finally {
      await quiet(24 * 60);
    }
  });
});
