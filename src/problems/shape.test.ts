import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { recountProblem, signatureOf } from './problem.store.js';
import { problemsWorld } from './test-world.js';

/**
 * What people do to the shape of problems (merge, split, link and unlink, owner and ETA) and
 * what follows: the detector leaves a problem a person shaped alone (`signature.human`), the
 * owning team's tools hear of it (escalation rows in the outbox), counts follow, and a case a
 * person took out of a problem is not put back by the detector.
 */
describe.each(ENGINES)('people shaping problems on %s', (engine) => {
  let t: TestApp;
  let jiraId = '';
  beforeAll(async () => {
    t = await testApp(engine);
    const res = await asAdmin(t, 'POST', '/api/v1/integrations', {
      kind: 'jira',
      name: 'jira',
      config: { baseUrl: 'http://127.0.0.1:9', projectKey: 'OPS', email: 'bot@example.com' },
      secrets: { apiToken: 'jira-token', inboundSecret: 'jira-inbound-secret' },
    });
    expect(res.statusCode, res.body).toBe(201);
    jiraId = res.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });
  const {
    db,
    api,
    ingest,
    cases,
    autoProblem,
    problem,
    human,
    escalations,
    activeCases,
    setStatus,
    next,
  } = problemsWorld(() => t);

  it('merge: the links move, the source closes and says so to its tools, the target is human', async () => {
    const [a, b] = [await cases(2), await cases(3)];
    const src = await autoProblem(a);
    const dst = await autoProblem(b);
    const res = await api('POST', `/api/v1/problems/${src}/merge`, { intoId: dst });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customerCount).toBe(5);
    expect(await activeCases(dst)).toEqual([...a, ...b].map((c) => c.case_id).sort());
    expect(await activeCases(src)).toEqual([]);
    const s = await problem(src);
    expect(s.status).toBe('closed');
    expect(s.merged_into).toBe(dst);
    expect(await human(dst)).toBe(true);
    expect(await escalations(src)).toContain('problem.closed');
    expect(await escalations(dst)).toContain('problem.updated');

    // Once merged it cannot be merged again, and nothing merges into a closed problem.
    const again = await api('POST', `/api/v1/problems/${src}/merge`, { intoId: dst });
    expect(again.statusCode).toBe(422);
    const other = await autoProblem(await cases(1));
    const intoClosed = await api('POST', `/api/v1/problems/${other}/merge`, { intoId: src });
    expect(intoClosed.statusCode).toBe(422);
    expect(await activeCases(other)).toHaveLength(1);
  });

  it('counts follow the cases through links, splits and merges', async () => {
    const cs = await cases(3);
    const a = await autoProblem(cs.slice(0, 2));
    const b = await autoProblem(cs.slice(1, 3));
    const counts = async (id: string) => {
      const p = await problem(id);
      return [Number(p.customer_count), Number(p.message_count)];
    };
    // Each case holds one customer message. Unlinking one recounts.
    await api('POST', `/api/v1/problems/${a}/links`, { unlink: [cs[0].case_id] });
    expect(await counts(a)).toEqual([1, 1]);
    // Merged with a problem sharing a case: the shared case counts once.
    await api('POST', `/api/v1/problems/${a}/merge`, { intoId: b });
    expect(await counts(b)).toEqual([2, 2]);
    // The merged-away problem holds no case: stored and shown, alone and in the list.
    expect(await counts(a)).toEqual([0, 0]);
    const shown = (await api('GET', `/api/v1/problems/${a}`)).json();
    expect([shown.caseIds, shown.customerCount, shown.messageCount]).toEqual([[], 0, 0]);
    const listed = (await api('GET', '/api/v1/problems?status=closed&limit=200'))
      .json()
      .items.find((p: { id: string }) => p.id === a);
    expect([listed.caseIds, listed.customerCount, listed.messageCount]).toEqual([[], 0, 0]);
    const split = await api('POST', `/api/v1/problems/${b}/split`, { caseIds: [cs[2].case_id] });
    expect(await counts(split.json().id)).toEqual([1, 1]);
    expect(await counts(b)).toEqual([1, 1]);
  });

  it('split: the new problem opens to the tools, the source is updated and human', async () => {
    const cs = await cases(3);
    const src = await autoProblem(cs);
    const res = await api('POST', `/api/v1/problems/${src}/split`, {
      caseIds: [cs[0].case_id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().id as string;
    expect(await activeCases(created)).toEqual([cs[0].case_id]);
    expect(await activeCases(src)).toEqual([cs[1].case_id, cs[2].case_id].sort());
    expect(await escalations(created)).toEqual(['problem.opened']);
    expect(await escalations(src)).toEqual(['problem.updated']);
    expect(await human(src)).toBe(true);
  });

  it('a new owner or ETA is recorded and escalated; a repeat of the same values is not', async () => {
    const id = await autoProblem(await cases(1));
    const eta = '2026-12-24T18:00:00.000Z';
    const res = await api('POST', `/api/v1/problems/${id}/status`, {
      owner: 'Field services',
      etaAt: eta,
      silent: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await escalations(id)).toEqual(['problem.updated']);
    const detail = (await api('GET', `/api/v1/problems/${id}`)).json();
    const edited = detail.history.filter((h: { type: string }) => h.type === 'edited');
    expect(edited).toHaveLength(1);
    expect(edited[0].data).toEqual({ owner: 'Field services', etaAt: eta });
    // A reference to the team's tracker is recorded too.
    const ref = await api('POST', `/api/v1/problems/${id}/status`, {
      externalRefs: { jira: 'OPS-9' },
      silent: true,
    });
    expect(ref.statusCode, ref.body).toBe(200);
    const again = (await api('GET', `/api/v1/problems/${id}`)).json();
    const last = again.history.filter((h: { type: string }) => h.type === 'edited').at(-1);
    expect(last.data).toEqual({ externalRefs: { jira: 'OPS-9' } });
    expect(again.externalRefs).toEqual({ jira: 'OPS-9' });
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`tool${i}`, 'x']));
    const tooMany = await api('POST', `/api/v1/problems/${id}/status`, { externalRefs: many });
    expect(tooMany.statusCode).toBe(400);
    expect(await human(id)).toBe(true);

    const same = await api('POST', `/api/v1/problems/${id}/status`, {
      owner: 'Field services',
      etaAt: eta,
      silent: true,
    });
    expect(same.statusCode).toBe(200);
    expect(await escalations(id)).toEqual(['problem.updated', 'problem.updated']);
  });

  it('a status set in the owning team’s Jira marks the problem as one people work on', async () => {
    const id = await autoProblem(await cases(1));
    await db()
      .updateTable('problems')
      .set({ external_refs_json: JSON.stringify({ jira: 'OPS-77' }) })
      .where('id', '=', id)
      .execute();
    const body = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      issue: { key: 'OPS-77', fields: { status: { statusCategory: { key: 'indeterminate' } } } },
      changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] },
    });
    const sig = `sha256=${createHmac('sha256', 'jira-inbound-secret').update(body).digest('hex')}`;
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${jiraId}/jira-webhook`,
      headers: { 'content-type': 'application/json', 'x-hub-signature': sig },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    const p = await problem(id);
    expect(p.status).toBe('fixing');
    expect(signatureOf(p).human).toBe(true);
  });

  it('a merged-away problem takes no more status changes or links', async () => {
    const a = await autoProblem(await cases(1));
    const b = await autoProblem(await cases(1));
    expect((await api('POST', `/api/v1/problems/${a}/merge`, { intoId: b })).statusCode).toBe(200);
    const [extra] = await cases(1);
    expect((await setStatus(a, { status: 'confirmed' })).statusCode).toBe(422);
    const link = await api('POST', `/api/v1/problems/${a}/links`, { link: [extra.case_id] });
    expect(link.statusCode).toBe(422);
    expect(await activeCases(a)).toEqual([]);
  });

  it('a case a person unlinked is not linked back when its customer writes again', async () => {
    const author = { id: `shape-unlink-${next()}` };
    const at = (min: number) => new Date(Date.now() - 60 * 60_000 + min * 60_000).toISOString();
    const sms = (text: string, min: number) =>
      aMessage({ channel: 'sms', visibility: 'private', author, text, sentAt: at(min) });
    const [first] = await ingest([sms('My internet is down again in Austin, fix it!', 0)]);
    const [other] = await cases(1);
    const made = await api('POST', '/api/v1/problems', {
      caseId: other.case_id,
      topic: 'outage',
      title: 'Austin outage',
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as string;
    const link = await api('POST', `/api/v1/problems/${id}/links`, { link: [first.case_id] });
    expect(link.statusCode, link.body).toBe(200);
    // The customer writes again: the detector now knows the case belongs to the problem.
    const [second] = await ingest([sms('Still no internet, this is ridiculous!!', 5)]);
    expect(second.case_id).toBe(first.case_id);
    expect(await activeCases(id)).toContain(first.case_id);

    const unlink = await api('POST', `/api/v1/problems/${id}/links`, { unlink: [first.case_id] });
    expect(unlink.statusCode, unlink.body).toBe(200);
    // Unlinking again, or a case it never held, changes nothing and records nothing.
    const again = await api('POST', `/api/v1/problems/${id}/links`, {
      unlink: [first.case_id, 'no-such-case'],
    });
    expect(again.statusCode, again.body).toBe(200);
    const unlinks = (await api('GET', `/api/v1/problems/${id}`))
      .json()
      .history.filter((h: { type: string }) => h.type === 'unlinked');
    expect(unlinks.map((h: { data: unknown }) => h.data)).toEqual([{ caseIds: [first.case_id] }]);
    const [third] = await ingest([sms('Internet STILL down, worst service ever, fix it now!', 10)]);
    expect(third.case_id).toBe(first.case_id);
    expect(await activeCases(id)).toEqual([other.case_id]);
    expect((await problem(id)).customer_count).toBe(1);
  });

  it("messageCount counts follow-ups on a closed problem's case and on a case two problems hold", async () => {
    /** Counts as the API shows them, in the problem and in the list. */
    const shown = async (id: string) => {
      const one = (await api('GET', `/api/v1/problems/${id}`)).json();
      const listed = (await api('GET', '/api/v1/problems?limit=200'))
        .json()
        .items.find((p: { id: string }) => p.id === id);
      expect([listed.customerCount, listed.messageCount]).toEqual([
        one.customerCount,
        one.messageCount,
      ]);
      return [one.customerCount, one.messageCount];
    };
    const k = next();
    const mine = { id: `count-closed-${k}` };
    const shared = { id: `count-shared-${k}` };
    const [c, s] = await ingest([
      aMessage({ author: mine, text: 'no signal in Austin', visibility: 'private' }),
      aMessage({ author: shared, text: 'no signal in Austin either', visibility: 'private' }),
    ]);
    const closed = await autoProblem([c]);
    // Two open problems holding one case, as a detector link to a second problem leaves it.
    const first = await autoProblem([s]);
    const second = await autoProblem([s]);
    // Their stored counters as the pipeline leaves them.
    for (const id of [closed, first, second]) await recountProblem(db(), id, Date.now());
    expect(await shown(closed)).toEqual([1, 1]);
    expect((await setStatus(closed, { status: 'closed' })).statusCode).toBe(200);
    const follow = await ingest([
      aMessage({ author: mine, text: 'any news? still nothing', visibility: 'private' }),
      aMessage({ author: shared, text: 'any news? still nothing here', visibility: 'private' }),
    ]);
    expect(follow.map((f) => f.case_id)).toEqual([c.case_id, s.case_id]);
    expect(await shown(closed)).toEqual([1, 2]);
    expect(await shown(first)).toEqual([1, 2]);
    expect(await shown(second)).toEqual([1, 2]);
  });
});
