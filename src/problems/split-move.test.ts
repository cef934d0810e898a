import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/*
 * A second trouble takes its complainers back from the problem that held them (`split-topic.ts`):
 * the detector links cases that no message of the batch went to, some linked to that problem
 * in an earlier batch, some a moment before in the same one. Each case ends up in one problem,
 * moved (not linked twice), and the problem it left loses the topic votes its complaints gave.
 */
describe.each(ENGINES)('complainers a second trouble takes back, on %s', (engine) => {
  const t = suiteApp(engine);
  const {
    db,
    cases,
    autoProblem,
    activeCases,
    decide,
    linkTo,
    openRows: open,
  } = problemsWorld(() => t);

  it('moves a case linked in an earlier batch, though the batch did not read its links', async () => {
    const [c] = await cases(1);
    const a = await autoProblem([c]);
    const b = await autoProblem(await cases(1));
    // No `linked` entry for the case: none of the batch's messages went to it.
    await decide(Date.now(), [{ ...linkTo(b, c), reason: 'detected' }], await open(a, b));
    expect(await activeCases(a)).not.toContain(c.case_id);
    expect(await activeCases(b)).toContain(c.case_id);
  });

  it('makes only the later link of a case linked twice in one batch, and moves its vote', async () => {
    const [c] = await cases(1);
    const a = await autoProblem([]);
    const b = await autoProblem([]);
    await decide(
      Date.now(),
      [
        { ...linkTo(a, c), member: { ...linkTo(a, c).member, topic: 'billing' } },
        // The detector names the vote the case's first link gave `a` (`ProblemBook.unvote`).
        {
          ...linkTo(b, c),
          reason: 'detected',
          member: { ...linkTo(b, c).member, topic: 'billing' },
          unvote: 'billing',
        },
      ],
      await open(a, b),
    );
    const rows = await db()
      .selectFrom('problem_links')
      .select(['problem_id', 'unlinked_at'])
      .where('case_id', '=', c.case_id!)
      .execute();
    expect(rows).toEqual([{ problem_id: b, unlinked_at: null }]);
    const votes = async (id: string) =>
      JSON.parse(
        (
          await db()
            .selectFrom('problems')
            .select('signature_json')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).signature_json!,
      ).votes;
    expect((await votes(a)).billing ?? 0).toBe(0);
    expect((await votes(b)).billing).toBe(1);
  });
});
