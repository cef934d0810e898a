import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from '../problems/test-world.js';

/**
 * A case says which problems hold it, and its customer's timeline and the surge groups name them,
 * read from the live links a person or the detector made (`problem_links`); an unlinked one is
 * gone. These all read a `cases.problem_id` column once, which nothing wrote: every answer said
 * "no problem".
 */
describe.each(ENGINES)('the problems of a case on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, setStatus } = problemsWorld(() => t);

  const view = async (caseId: string) => {
    const res = await api('GET', `/api/v1/cases/${caseId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { problems: { id: string; status: string; title: string }[] };
  };
  const inboxItem = async (customerId: string, caseId: string) => {
    const res = await api('GET', `/api/v1/cases?customer=${customerId}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: string; problems: unknown[] }[]).find((c) => c.id === caseId);
  };
  const problemIdsOf = async (customerId: string) => {
    const res = await api('GET', `/api/v1/customers/${customerId}/timeline`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().problemIds as string[];
  };
  const groupOf = async (problemId: string) => {
    const res = await api('GET', '/api/v1/case-groups');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { problemId: string | null; openCases: number }[]).find(
      (g) => g.problemId === problemId,
    );
  };
  const byHand = async (caseId: string, title: string) => {
    const res = await api('POST', '/api/v1/problems', { caseId, title });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('shows a linked problem on the case, the inbox, the timeline and the surge groups; unlinked, it is gone', async () => {
    const [a, b] = await cases(2);
    const p = await byHand(a.case_id!, 'Fibre cut on Congress Ave');
    const linked = await api('POST', `/api/v1/problems/${p}/links`, { link: [b.case_id] });
    expect(linked.statusCode, linked.body).toBe(200);

    for (const c of [a, b]) {
      expect((await view(c.case_id!)).problems).toEqual([
        { id: p, status: 'confirmed', title: 'Fibre cut on Congress Ave' },
      ]);
      expect((await inboxItem(c.customer_id!, c.case_id!))?.problems).toEqual([
        { id: p, status: 'confirmed', title: 'Fibre cut on Congress Ave' },
      ]);
      expect(await problemIdsOf(c.customer_id!)).toEqual([p]);
    }
    expect((await groupOf(p))?.openCases).toBe(2);

    const unlinked = await api('POST', `/api/v1/problems/${p}/links`, { unlink: [b.case_id] });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect((await view(b.case_id!)).problems).toEqual([]);
    expect((await inboxItem(b.customer_id!, b.case_id!))?.problems).toEqual([]);
    expect(await problemIdsOf(b.customer_id!)).toEqual([]);
    expect((await groupOf(p))?.openCases).toBe(1);
    // The case still held keeps it.
    expect((await view(a.case_id!)).problems.map((x) => x.id)).toEqual([p]);
  });

  it('lists every problem a case is linked to, newest first; the surge group is the open one', async () => {
    const [a] = await cases(1);
    const old = await byHand(a.case_id!, 'Last week’s outage');
    expect((await setStatus(old, { status: 'closed' })).statusCode).toBe(200);
    const now = await byHand(a.case_id!, 'Today’s outage');
    const problems = (await view(a.case_id!)).problems;
    expect(problems.map((x) => [x.id, x.status])).toEqual([
      [now, 'confirmed'],
      [old, 'closed'],
    ]);
    expect(await problemIdsOf(a.customer_id!)).toEqual([now, old]);
    const status = await db()
      .selectFrom('cases')
      .select('status')
      .where('id', '=', a.case_id!)
      .executeTakeFirstOrThrow();
    expect(['new', 'open', 'pending']).toContain(status.status);
    expect((await groupOf(now))?.openCases).toBe(1);
    // Counted once, under the problem that holds it, not again under the closed one.
    expect(await groupOf(old)).toBeUndefined();
  });

  it('has no cases.problem_id column any more (migration 0024)', async () => {
    const tables = await db().introspection.getTables();
    const cols = tables.find((x) => x.name === 'cases')?.columns.map((c) => c.name) ?? [];
    expect(cols).toContain('group_key');
    expect(cols).not.toContain('problem_id');
  });
});
