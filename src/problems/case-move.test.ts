import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/*
 * A case belongs to one problem: when the detector links a newer complaint of a case to another
 * problem, the case moves there, unless a person put it where it is.
 */
describe.each(ENGINES)('a case the detector links to another problem, on %s', (engine) => {
  const t = suiteApp(engine);
  const {
    db,
    api,
    cases,
    autoProblem,
    activeCases,
    decide,
    linkTo,
    openRows: open,
  } = problemsWorld(() => t);

  it('moves from the problem the detector linked it to, and the old one says where', async () => {
    const [c] = await cases(1);
    const a = await autoProblem([c]);
    const b = await autoProblem(await cases(1));
    await decide(Date.now(), [linkTo(b, c)], await open(a, b), new Map([[c.case_id!, a]]));
    expect(await activeCases(a)).not.toContain(c.case_id);
    expect(await activeCases(b)).toContain(c.case_id);
    const ev = await db()
      .selectFrom('problem_events')
      .select('data_json')
      .where('problem_id', '=', a)
      .where('type', '=', 'unlinked')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(ev.data_json)).toEqual({ caseIds: [c.case_id], movedTo: b });
  });

  it('stays where a person linked it', async () => {
    const [c] = await cases(1);
    const a = await autoProblem(await cases(1));
    const b = await autoProblem(await cases(1));
    const res = await api('POST', `/api/v1/problems/${a}/links`, { link: [c.case_id] });
    expect(res.statusCode, res.body).toBe(200);
    await decide(Date.now(), [linkTo(b, c)], await open(a, b), new Map([[c.case_id!, a]]));
    expect(await activeCases(a)).toContain(c.case_id);
    expect(await activeCases(b)).not.toContain(c.case_id);
  });
});
