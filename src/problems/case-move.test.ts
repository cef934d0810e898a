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

  /** The problem's history entries of a type, oldest first. */
  const problemEvents = async (id: string, type: string) =>
    (
      await db()
        .selectFrom('problem_events')
        .select('data_json')
        .where('problem_id', '=', id)
        .where('type', '=', type)
        .orderBy('id')
        .execute()
    ).map((e) => JSON.parse(e.data_json));
  const ref = async (id: string) => ({
    problemId: id,
    number: Number(
      (
        await db()
          .selectFrom('problems')
          .select('number')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).number,
    ),
  });

  it('the case history says it left one problem and joined the other; so do both problems', async () => {
    const [c, e] = await cases(2);
    const a = await autoProblem([c, e]);
    const b = await autoProblem(await cases(1));
    const [A, B] = [await ref(a), await ref(b)];
    const entries: { caseId: string; type: string; data: Record<string, unknown> }[] = [];
    // A newer complaint of c's linked on arrival (its entry carries the acknowledgement), and
    // e's linked by detection.
    const detected = { ...linkTo(b, e), reason: 'detected' as const };
    const held = new Map([
      [c.case_id!, a],
      [e.case_id!, a],
    ]);
    await decide(Date.now(), [linkTo(b, c), detected], await open(a, b), held, entries);
    const ofCase = (id: string | null) =>
      entries.filter((x) => x.caseId === id).map((x) => [x.type, x.data]);
    expect(ofCase(c.case_id)).toEqual([
      ['problem_unlinked', { ...A, how: 'moved', to: B }],
      ['problem_linked', expect.objectContaining({ ...B, from: A, autoSent: false })],
    ]);
    expect(ofCase(e.case_id)).toEqual([
      ['problem_unlinked', { ...A, how: 'moved', to: B }],
      ['problem_linked', { ...B, how: 'detected', from: A }],
    ]);
    expect(await problemEvents(a, 'unlinked')).toEqual([
      { caseIds: [c.case_id], movedTo: b },
      { caseIds: [e.case_id], movedTo: b },
    ]);
    expect(await problemEvents(b, 'linked')).toEqual([
      { caseIds: [c.case_id], movedFrom: a },
      { caseIds: [e.case_id], movedFrom: a },
    ]);
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
