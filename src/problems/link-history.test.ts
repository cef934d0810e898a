import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

type Entry = { type: string; data: Record<string, unknown> };

/**
 * A case's history names every problem it joins or leaves by a person's act: merged into
 * another, split off, unlinked. Before, a case linked to #5, #5 merged into #2, then split off
 * into #6 still read as #5's only (while its `problems` said #6), and an unlink left no entry.
 */
describe.each(ENGINES)('case history of merges, splits and unlinks on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  /** The case's problem entries, oldest first. */
  const entries = async (caseId: string | null) =>
    (await w.api('GET', `/api/v1/cases/${caseId}/history?limit=200`))
      .json()
      .items.filter((h: Entry) => h.type.startsWith('problem_'))
      .reverse()
      .map((h: Entry) => [h.type, h.data]);
  const ref = async (id: string) => ({
    problemId: id,
    number: Number((await w.problem(id)).number),
  });

  it('records leaving the merged source, joining the target, a split and an unlink', async () => {
    const [c, d, e] = await w.cases(3);
    const a = await w.autoProblem([c, d]);
    const b = await w.autoProblem([e]);
    const [A, B] = [await ref(a), await ref(b)];
    const merged = await w.api('POST', `/api/v1/problems/${a}/merge`, { intoId: b });
    expect(merged.statusCode, merged.body).toBe(200);
    const split = await w.api('POST', `/api/v1/problems/${b}/split`, { caseIds: [c.case_id] });
    expect(split.statusCode, split.body).toBe(201);
    const C = await ref(split.json().id);
    const unlinked = await w.api('POST', `/api/v1/problems/${b}/links`, { unlink: [d.case_id] });
    expect(unlinked.statusCode, unlinked.body).toBe(200);

    expect(await entries(c.case_id)).toEqual([
      ['problem_unlinked', { ...A, how: 'merged', to: B }],
      ['problem_linked', { ...B, how: 'merged', from: A }],
      ['problem_unlinked', { ...B, how: 'split', to: C }],
      ['problem_linked', { ...C, how: 'split', from: B }],
    ]);
    expect(await entries(d.case_id)).toEqual([
      ['problem_unlinked', { ...A, how: 'merged', to: B }],
      ['problem_linked', { ...B, how: 'merged', from: A }],
      ['problem_unlinked', { ...B, how: 'by_hand' }],
    ]);
    // The case's problems agree with its history's last entry.
    const view = (await w.api('GET', `/api/v1/cases/${c.case_id}`)).json();
    expect(view.problems.map((p: { id: string }) => p.id)).toEqual([C.problemId]);
  });

  it('a case waiting on the fix of a problem merged into one not fixed is sent back naming the target', async () => {
    const [c, d] = await w.cases(2);
    const a = await w.autoProblem([c]);
    const b = await w.autoProblem([d]);
    expect((await w.setStatus(a, { status: 'fixed' })).statusCode).toBe(200);
    const merged = await w.api('POST', `/api/v1/problems/${a}/merge`, { intoId: b });
    expect(merged.statusCode, merged.body).toBe(200);
    const history = (await w.api('GET', `/api/v1/cases/${c.case_id}/history?limit=200`)).json();
    const back = history.items.find(
      (h: Entry) => h.type === 'status_changed' && h.data.to === 'open',
    );
    expect(back.data.why).toContain(`merged into problem #${(await ref(b)).number}`);
    expect((await entries(c.case_id)).map((e: [string, unknown]) => e[0])).toEqual([
      'problem_unlinked',
      'problem_linked',
    ]);
  });
});
