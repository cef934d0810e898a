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

  it('moves a case linked twice in one batch, and moves its vote', async () => {
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
    // It joined `a` and moved on: `a`'s link stays, closed (its history says where it went).
    expect(rows.find((r) => r.problem_id === a)?.unlinked_at ?? null).not.toBeNull();
    expect(rows.filter((r) => r.unlinked_at === null)).toEqual([
      { problem_id: b, unlinked_at: null },
    ]);
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

  it('keeps the history of both moves and the arrival acknowledgement of a case moved twice', async () => {
    const [c] = await cases(1);
    const a = await autoProblem([]);
    const b = await autoProblem([]);
    const events: { caseId: string; type: string; data: Record<string, unknown> }[] = [];
    // Its complaint joins `a` on arrival; a split later in the batch takes it to `b`.
    await decide(
      Date.now(),
      [linkTo(a, c), { ...linkTo(b, c), reason: 'detected' }],
      await open(a, b),
      new Map(),
      events,
    );
    const history = events
      .filter((e) => e.caseId === c.case_id)
      .map((e) => ({
        type: e.type,
        problemId: e.data.problemId,
        to: (e.data.to as { problemId?: string } | undefined)?.problemId,
        from: (e.data.from as { problemId?: string } | undefined)?.problemId,
        told: typeof e.data.suggestedReply === 'string',
      }));
    // Before: only `b`'s entry, as if it had been detected there, and no acknowledgement at all.
    expect(history).toEqual([
      { type: 'problem_linked', problemId: a, to: undefined, from: undefined, told: false },
      { type: 'problem_unlinked', problemId: a, to: b, from: undefined, told: false },
      // Its customer is told of the problem the case ended up in.
      { type: 'problem_linked', problemId: b, to: undefined, from: a, told: true },
    ]);
    // Both problems' histories name the move.
    const moves = await db()
      .selectFrom('problem_events')
      .select(['problem_id', 'type', 'data_json'])
      .where('problem_id', 'in', [a, b])
      .where('type', 'in', ['linked', 'unlinked'])
      .execute();
    expect(
      moves.map((e) => [e.problem_id === a ? 'a' : 'b', e.type, JSON.parse(e.data_json)]),
    ).toEqual(
      expect.arrayContaining([
        ['a', 'unlinked', { caseIds: [c.case_id], movedTo: b }],
        ['b', 'linked', { caseIds: [c.case_id], movedFrom: a }],
      ]),
    );
    expect(await activeCases(a)).toEqual([]);
    expect(await activeCases(b)).toEqual([c.case_id]);
  });
});
