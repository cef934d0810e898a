import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/*
 * The detector remembers complaints it saw before their customer was erased: when a problem is
 * raised later, such a case is not linked (a person could not link it either: 422), so the
 * erased customer is neither counted nor sent the problem's acknowledgement.
 */
describe.each(ENGINES)('a complaint whose customer was erased, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, autoProblem, activeCases, decide, linkTo, openRows } = problemsWorld(
    () => t,
  );

  it('is left out when the detector links the others', async () => {
    const [gone, kept] = await cases(2);
    const erase = await api('POST', `/api/v1/customers/${gone.customer_id}/erase`, {
      confirm: true,
    });
    expect(erase.statusCode, erase.body).toBeLessThan(300);
    const p = await autoProblem(await cases(1));
    await decide(Date.now(), [linkTo(p, gone), linkTo(p, kept)], await openRows(p));
    const live = await activeCases(p);
    expect(live).toContain(kept.case_id);
    expect(live).not.toContain(gone.case_id);
    const row = await db()
      .selectFrom('problems')
      .select('customer_count')
      .where('id', '=', p)
      .executeTakeFirstOrThrow();
    expect(Number(row.customer_count)).toBe(2);
    const events = await db()
      .selectFrom('case_events')
      .select('type')
      .where('case_id', '=', gone.case_id!)
      .where('type', '=', 'problem_linked')
      .execute();
    expect(events).toEqual([]);
  });
});
