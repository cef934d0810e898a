import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { backToFixing } from './reopen.js';
import { problemsWorld } from './test-world.js';

/*
 * Writes to a problem that a QA pass found misbehaving: a repeated status, a stale write, ETAs,
 * a reopening's cases, junk in links and splits, and messages to a closed problem's customers.
 */
describe.each(ENGINES)('problem writes on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, autoProblem, caseRows, setStatus, activeCases } = problemsWorld(() => t);
  const status = (id: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/problems/${id}/status`, body);
  const notices = (id: string) =>
    db()
      .selectFrom('problem_notifications')
      .select(['customer_id', 'text'])
      .where('problem_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  const history = async (id: string, type: string) =>
    (
      await db()
        .selectFrom('problem_events')
        .select(['type', 'data_json'])
        .where('problem_id', '=', id)
        .where('type', '=', type)
        .orderBy('id')
        .execute()
    ).map((e) => JSON.parse(e.data_json));
  /** The status changes a problem wrote into a case's history. */
  const caseChanges = async (caseId: string) =>
    (
      await db()
        .selectFrom('case_events')
        .select('data_json')
        .where('case_id', '=', caseId)
        .where('type', '=', 'status_changed')
        .where('actor_id', '=', 'problems')
        .orderBy('id')
        .execute()
    ).map((e) => JSON.parse(e.data_json) as { from: string; to: string; why: string });

  it('the same fix sent twice tells each customer once; other words on a fixed problem are an update', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    const fix = () => status(id, { status: 'fixed', body: 'c-fixed' });
    const first = await fix();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().notified).toBe(2);
    const again = await fix();
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ notified: 0, problem: { id, status: 'fixed' } });
    expect(await notices(id)).toHaveLength(2);
    expect(await history(id, 'status_changed')).toHaveLength(1);
    for (const c of cs) expect(await caseChanges(c.case_id!)).toHaveLength(1);
    // A second "fixed" with new words is no second fix: an update, not "Good news … is fixed".
    const more = await status(id, { status: 'fixed', body: 'Speeds are back to normal too' });
    expect(more.json().notified).toBe(2);
    const texts = (await notices(id)).map((n) => n.text);
    expect(texts.filter((x) => x.startsWith('Good news'))).toHaveLength(2);
    expect(texts.slice(2).every((x) => x.startsWith('Update on'))).toBe(true);
    expect(await history(id, 'status_changed')).toHaveLength(1);
    for (const c of cs) expect(await caseChanges(c.case_id!)).toHaveLength(1);
  });

  it('a write with a stale expectedVersion is a 409 and changes nothing', async () => {
    const id = await autoProblem(await cases(1));
    const read = (await api('GET', `/api/v1/problems/${id}`)).json();
    expect(typeof read.version).toBe('number');
    expect(
      (await setStatus(id, { status: 'confirmed', expectedVersion: read.version })).statusCode,
    ).toBe(200);
    const stale = await status(id, {
      status: 'fixing',
      body: 'On it',
      expectedVersion: read.version,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.details.currentVersion).toBeGreaterThan(read.version);
    expect((await api('GET', `/api/v1/problems/${id}`)).json().status).toBe('confirmed');
    expect(await notices(id)).toHaveLength(0);
    const [other] = await cases(1);
    const links = await api('POST', `/api/v1/problems/${id}/links`, {
      link: [other.case_id],
      expectedVersion: read.version,
    });
    expect(links.statusCode).toBe(409);
  });

  it('a case already waiting on its customer gets no "pending to pending" entry from a fix', async () => {
    const cs = await cases(2);
    const [waiting, open] = cs.map((c) => c.case_id!);
    await db()
      .updateTable('cases')
      .set({ status: 'pending', status_reason: 'customer' })
      .where('id', '=', waiting)
      .execute();
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect(await caseChanges(waiting)).toEqual([]);
    expect(await caseChanges(open)).toMatchObject([{ to: 'pending', why: 'problem fixed' }]);
    const due = await db()
      .selectFrom('problem_links')
      .select('resolve_due_at')
      .where('problem_id', '=', id)
      .execute();
    expect(due.every((l) => l.resolve_due_at !== null)).toBe(true);
  });

  it('reopening a fix sends the cases still waiting on their customers back to the desk', async () => {
    const cs = await cases(3);
    const [a, b, done] = cs.map((c) => c.case_id!);
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    // This customer's case was resolved since (by an agent, or their thanks): it stays so.
    await db().updateTable('cases').set({ status: 'resolved' }).where('id', '=', done).execute();
    expect((await setStatus(id, { status: 'fixing' })).statusCode).toBe(200);
    expect(await caseRows([a, b, done])).toEqual({ [a]: 'open', [b]: 'open', [done]: 'resolved' });
    const sla = (await api('GET', `/api/v1/cases/${a}/sla`)).json();
    expect(sla.paused).toBe(false);
    expect((await caseChanges(a)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'open',
      why: 'problem back to fixing from fixed',
    });
    // The automatic way back (still broken, new customers after the fix) does the same.
    const auto = await cases(2);
    const id2 = await autoProblem(auto);
    expect((await setStatus(id2, { status: 'fixed' })).statusCode).toBe(200);
    await db()
      .transaction()
      .execute((trx) =>
        backToFixing(
          trx,
          t.app.workspace.workspaceId,
          id2,
          'fixed',
          { why: 'still broken' },
          {
            now: Date.now(),
            eventAt: Date.now(),
          },
        ),
      );
    expect(Object.values(await caseRows(auto.map((c) => c.case_id)))).toEqual(['open', 'open']);
  });

  it('an ETA in the past or years ahead is a 400; a fix clears the ETA', async () => {
    const id = await autoProblem(await cases(1));
    for (const etaAt of ['2000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const res = await status(id, { status: 'fixing', etaAt });
      expect(res.statusCode, etaAt).toBe(400);
      expect(res.json().error.message).toMatch(/^etaAt: /);
    }
    expect((await api('GET', `/api/v1/problems/${id}`)).json().status).toBe('suspected');
    const soon = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const res = await setStatus(id, { status: 'fixing', etaAt: soon });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().problem.etaAt).not.toBeNull();
    const fixed = await setStatus(id, { status: 'fixed' });
    expect(fixed.json().problem.etaAt).toBeNull();
  });

  it('a closed problem takes no message for its customers', async () => {
    const id = await autoProblem(await cases(2));
    expect((await setStatus(id, { status: 'closed' })).statusCode).toBe(200);
    const res = await status(id, { body: 'One more thing' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/closed/);
    expect(await notices(id)).toHaveLength(0);
  });

  it('links: idempotent, never empty, always a list; a split names the cases not in the problem', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    const [c] = await cases(1);
    const links = (body: unknown) => api('POST', `/api/v1/problems/${id}/links`, body);
    expect((await links({ link: [c.case_id, c.case_id] })).statusCode).toBe(200);
    expect((await links({ link: [c.case_id] })).statusCode).toBe(200);
    expect(await history(id, 'linked')).toEqual([{ caseIds: [c.case_id] }]);
    const nothing = await links({});
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().error.message).toMatch(/nothing to do/);
    expect((await links({ link: [], unlink: [] })).statusCode).toBe(400);
    const scalar = await links({ link: c.case_id });
    expect(scalar.statusCode).toBe(400);
    expect(scalar.json().error.message).toBe('invalid request: body/link must be array');

    const [outside] = await cases(1);
    const before = await activeCases(id);
    const split = await api('POST', `/api/v1/problems/${id}/split`, {
      caseIds: [cs[0].case_id, outside.case_id],
    });
    expect(split.statusCode).toBe(404);
    expect(split.json().error.message).toContain(outside.case_id);
    expect(await activeCases(id)).toEqual(before);
  });
});
