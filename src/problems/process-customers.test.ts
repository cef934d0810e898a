import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { insertLinks, insertProblem } from './problem.store.js';
import { aProblem, problemsWorld, smsFrom } from './test-world.js';

const HOUR = 3_600_000;

/**
 * QA of process problems and of the detector's moves:
 * - fixing a team's "Spike of broken promises" told the customers whose callbacks broke "Good
 *   news: the problem is fixed" and resolved their cases after the quiet period, callback owed;
 * - a case waiting for its customer after one problem's fix, moved by the detector to another,
 *   stayed pending for ever (the move cleared its quiet period, and nothing else ended it).
 */
describe.each(ENGINES)('process problems and moved cases on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;
  const phone = () => `+1557${engine === 'sqlite' ? 1 : 2}${String(++k).padStart(6, '0')}`;
  const status = async (caseId: string) =>
    (
      await w
        .db()
        .selectFrom('cases')
        .select(['status', 'status_reason'])
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow()
    ).status;

  it('a process problem’s updates and fix reach no customer and leave their cases alone', async () => {
    const cs = await w.ingest([smsFrom(phone(), 'you promised a callback', Date.now() - HOUR)]);
    const at = Date.now() - HOUR;
    const row = await insertProblem(
      w.db(),
      w.ws(),
      aProblem(at, {
        kind: 'process',
        title: 'Spike of broken promises — team Devices',
        topic: null,
        signature: { keys: ['proc:promise_broken:devices'], terms: [], teamId: null, human: false },
      }),
      at,
    );
    const c = cs[0];
    await insertLinks(
      w.db(),
      w.ws(),
      [
        {
          problemId: row.id,
          caseId: c.case_id!,
          customerId: c.customer_id!,
          source: 'auto',
          linkedAt: at,
        },
      ],
      at,
    );
    const before = await status(c.case_id!);
    for (const body of [
      { status: 'confirmed', silent: false },
      { status: 'fixed', silent: false, body: 'The Devices team caught up on its callbacks.' },
    ])
      expect((await w.setStatus(row.id, body)).statusCode).toBe(200);
    const notices = await w
      .db()
      .selectFrom('problem_notifications')
      .select('id')
      .where('problem_id', '=', row.id)
      .execute();
    expect(notices).toEqual([]);
    expect(await status(c.case_id!)).toBe(before);
    // The team's words are kept, for the team (silent).
    const updates = await w
      .db()
      .selectFrom('problem_updates')
      .select(['body', 'silent'])
      .where('problem_id', '=', row.id)
      .execute();
    expect(updates).toEqual([{ body: 'The Devices team caught up on its callbacks.', silent: 1 }]);
  });

  it('a case waiting after a fix that the detector moves to another problem goes back to the desk', async () => {
    const { cs, id: fixedId } = await w.fixedSms([phone()], 2 * HOUR, true);
    const c = cs[0];
    expect(await status(c.case_id!)).toBe('pending');
    const other = await w.autoProblem([]);
    await w.decide(
      Date.now(),
      [w.linkTo(other, c)],
      await w.openRows(fixedId, other),
      new Map([[c.case_id!, fixedId]]),
    );
    expect(await w.activeCases(other)).toEqual([c.case_id]);
    expect(await status(c.case_id!)).toBe('open');
  });
});
