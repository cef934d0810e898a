import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { createUser } from '../platform/auth/users.js';
import { applyDecisions } from './apply-decisions.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { insertLinks, insertProblem, openProblems, signatureOf } from './problem.store.js';
import { ProblemWorker } from './problem.worker.js';

/**
 * What people do to the shape of problems (merge, split, link and unlink, owner and ETA) and
 * what follows: the detector leaves a problem a person shaped alone (`signature.human`), the
 * owning team's tools hear of it (escalation rows in the outbox), and a case a person took out
 * of a problem is not put back by the detector.
 */
describe.each(ENGINES)('people shaping problems on %s', (engine) => {
  let t: TestApp;
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  let n = 0;
  let jiraId = '';

  beforeAll(async () => {
    t = await testApp(engine);
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: t.auth,
      payload: {
        kind: 'jira',
        name: 'jira',
        config: { baseUrl: 'http://127.0.0.1:9', projectKey: 'OPS', email: 'bot@example.com' },
        secrets: { apiToken: 'jira-token', inboundSecret: 'jira-inbound-secret' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    jiraId = res.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: t.auth, payload: payload as never });

  /** Sends the messages through the real pipeline; returns each one's case. */
  async function ingest(ms: InboundMessage[]) {
    await appendInbound(db(), ws(), ms, Date.now());
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .select(['external_id', 'case_id', 'customer_id'])
      .where(
        'external_id',
        'in',
        ms.map((m) => m.externalId),
      )
      .execute();
    return ms.map((m) => rows.find((r) => r.external_id === m.externalId)!);
  }

  /** New cases, one per new customer. */
  const cases = (k: number) =>
    ingest(
      Array.from({ length: k }, () =>
        aMessage({ text: 'no signal at all in Austin today', author: { id: `shape-${++n}` } }),
      ),
    );

  /** An automatic problem as the detector stores one, with the cases linked. */
  async function autoProblem(linked: { case_id: string | null; customer_id: string | null }[]) {
    const at = Date.now() - 3_600_000;
    const row = await insertProblem(
      db(),
      ws(),
      {
        kind: 'area',
        status: 'suspected',
        title: 'network — Austin',
        topic: 'network',
        area: { postalCode: null, city: 'Austin', region: 'TX', country: 'US' },
        areaKey: 't:US:TX:austin',
        signature: { keys: ['network@t:US:TX:austin'], terms: [], teamId: null, human: false },
        owner: 'Network operations',
        baseline: null,
        detectedAt: at,
        firstEventAt: at,
      },
      at,
    );
    await insertLinks(
      db(),
      ws(),
      linked.map((c) => ({
        problemId: row.id,
        caseId: c.case_id!,
        customerId: c.customer_id!,
        source: 'auto' as const,
        linkedAt: at,
      })),
      at,
    );
    return row.id;
  }

  const problem = (id: string) =>
    db().selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const human = async (id: string) => signatureOf(await problem(id)).human;
  /** Escalation events queued for the problem, in order. */
  const escalations = async (id: string) =>
    (
      await db()
        .selectFrom('outbox')
        .select(['payload_json'])
        .where('kind', '=', 'problem_escalate')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    )
      .map((r) => JSON.parse(r.payload_json) as { problemId: string; event: string })
      .filter((p) => p.problemId === id)
      .map((p) => p.event);
  const activeCases = async (id: string) =>
    (
      await db()
        .selectFrom('problem_links')
        .select('case_id')
        .where('problem_id', '=', id)
        .where('unlinked_at', 'is', null)
        .execute()
    )
      .map((r) => r.case_id)
      .sort();

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
      owner: 'Fibre team',
      etaAt: eta,
      silent: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await escalations(id)).toEqual(['problem.updated']);
    const detail = (await api('GET', `/api/v1/problems/${id}`)).json();
    const edited = detail.history.filter((h: { type: string }) => h.type === 'edited');
    expect(edited).toHaveLength(1);
    expect(edited[0].data).toEqual({ owner: 'Fibre team', etaAt: eta });
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
      owner: 'Fibre team',
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

  it('a fix that did not hold: the linked cases wait for the next fix instead of resolving', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    const status = (s: string) =>
      api('POST', `/api/v1/problems/${id}/status`, { status: s, silent: true });
    expect((await status('fixed')).statusCode).toBe(200);
    const caseStatus = async () =>
      (
        await db()
          .selectFrom('cases')
          .select('status')
          .where(
            'id',
            'in',
            cs.map((c) => c.case_id!),
          )
          .execute()
      ).map((c) => c.status);
    expect(await caseStatus()).toEqual(['pending', 'pending']);
    // The team's tracker (or a person) reopens it before the quiet period is over.
    expect((await status('fixing')).statusCode).toBe(200);
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(0);
    expect(await caseStatus()).toEqual(['pending', 'pending']);
    // Closed without a new fix: still nothing resolves as "fixed".
    expect((await status('closed')).statusCode).toBe(200);
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(0);
    expect((await status('fixing')).statusCode).toBe(200);
    // Fixed again: the quiet period starts again and then they resolve.
    expect((await status('fixed')).statusCode).toBe(200);
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(2);
    expect(await caseStatus()).toEqual(['resolved', 'resolved']);
  });

  const caseRows = (ids: (string | null)[]) =>
    db()
      .selectFrom('cases')
      .select(['id', 'status'])
      .where(
        'id',
        'in',
        ids.map((i) => i!),
      )
      .execute()
      .then((rs) => Object.fromEntries(rs.map((r) => [r.id, r.status])));
  const setStatus = (id: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/problems/${id}/status`, { silent: true, ...body });

  it('cases told of a fix that leave the problem go back to the desk; merged into a fixed one they keep waiting', async () => {
    const cs = await cases(4);
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(
      Array(4).fill('pending'),
    );
    // Unlinked: back to open. Split off (the new problem is not fixed): back to open.
    await api('POST', `/api/v1/problems/${id}/links`, { unlink: [cs[0].case_id] });
    const split = await api('POST', `/api/v1/problems/${id}/split`, { caseIds: [cs[1].case_id] });
    expect(split.statusCode, split.body).toBe(201);
    const after = await caseRows(cs.map((c) => c.case_id));
    expect(after[cs[0].case_id!]).toBe('open');
    expect(after[cs[1].case_id!]).toBe('open');
    expect(after[cs[2].case_id!]).toBe('pending');

    // Merged into another fixed problem: still waiting, and resolved when due.
    const other = await autoProblem(await cases(1));
    expect((await setStatus(other, { status: 'fixed' })).statusCode).toBe(200);
    const merged = await api('POST', `/api/v1/problems/${id}/merge`, { intoId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    await new ProblemWorker({ database: t.app.database, clock: later }).runOnce();
    const end = await caseRows(cs.map((c) => c.case_id));
    expect(end[cs[2].case_id!]).toBe('resolved');
    expect(end[cs[3].case_id!]).toBe('resolved');
    expect(end[cs[0].case_id!]).toBe('open');
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

  it('reopening a fixed problem is a reopening for the tools; clearing the ETA is not sent as the old one', async () => {
    const id = await autoProblem(await cases(1));
    expect((await setStatus(id, { etaAt: '2026-12-24T15:30:00.000Z' })).statusCode).toBe(200);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await setStatus(id, { status: 'fixing' })).statusCode).toBe(200);
    expect(await escalations(id)).toEqual(['problem.updated', 'problem.fixed', 'problem.reopened']);
    const res = await api('POST', `/api/v1/problems/${id}/status`, {
      etaAt: null,
      body: 'No ETA for now.',
    });
    expect(res.statusCode, res.body).toBe(200);
    const sent = await db()
      .selectFrom('problem_notifications')
      .select('text')
      .where('problem_id', '=', id)
      .execute();
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('No ETA for now.');
    expect(sent[0].text).not.toContain('15:30');
  });

  it('a customer with two linked cases hears each update once', async () => {
    const author = { id: `shape-twice-${++n}` };
    const [x] = await ingest([aMessage({ channel: 'x', author, text: 'no signal in Austin' })]);
    const [other] = await cases(1);
    const id = await autoProblem([x, other]);
    // The same customer also wrote by e-mail later (identified as them): a second case.
    const mail = await ingest([
      aMessage({
        channel: 'email',
        visibility: 'private',
        author: { id: `twice-${n}@example.org` },
        text: 'still no signal',
      }),
    ]);
    await db()
      .updateTable('cases')
      .set({ customer_id: x.customer_id! })
      .where('id', '=', mail[0].case_id!)
      .execute();
    await api('POST', `/api/v1/problems/${id}/links`, { link: [mail[0].case_id] });
    const res = await api('POST', `/api/v1/problems/${id}/status`, { status: 'fixed' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notified).toBe(2);
    const rows = await db()
      .selectFrom('problem_notifications')
      .select(['customer_id', 'case_id'])
      .where('problem_id', '=', id)
      .execute();
    expect(rows).toHaveLength(2);
    // The customer's latest linked case carries it.
    expect(rows.find((r) => r.customer_id === x.customer_id)?.case_id).toBe(mail[0].case_id);
  });

  it('two people marking it fixed at once: customers are told once', async () => {
    const cs = await cases(3);
    const id = await autoProblem(cs);
    const both = await Promise.all([
      api('POST', `/api/v1/problems/${id}/status`, { status: 'fixed' }),
      api('POST', `/api/v1/problems/${id}/status`, { status: 'fixed' }),
    ]);
    // The second waits for the first (the row lock) and finds it fixed already: no change.
    for (const r of both) expect(r.statusCode).toBe(200);
    expect(both.map((r) => (r.statusCode === 200 ? r.json().notified : 0)).sort()).toEqual([0, 3]);
    const told = await db()
      .selectFrom('problem_notifications')
      .select('id')
      .where('problem_id', '=', id)
      .execute();
    expect(told).toHaveLength(3);
    const detail = (await api('GET', `/api/v1/problems/${id}`)).json();
    const changes = detail.history.filter((h: { type: string }) => h.type === 'status_changed');
    expect(changes).toHaveLength(1);
  });

  it('a pipeline batch holding the open problems: a person’s link waits for it and both changes stay', async () => {
    const id = await autoProblem(await cases(1));
    const [extra] = await cases(1);
    // Only where writers run concurrently does the batch lock (runtime.locksRows).
    const lock = engine === 'postgres';
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const batch = db()
      .transaction()
      .execute(async (trx) => {
        const rows = await openProblems(trx, ws(), lock);
        locked();
        await released;
        // The detector's decision, written from what the batch read.
        await applyDecisions(
          trx,
          ws(),
          Date.now(),
          [],
          [{ type: 'own', problemId: id, key: 'outage@t:US:TX:austin' }],
          new Map(),
          new Map(rows.map((r) => [r.id, r])),
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        );
      });
    await isLocked;
    let personDone = false;
    const person = api('POST', `/api/v1/problems/${id}/links`, { link: [extra.case_id] }).then(
      (r) => {
        personDone = true;
        return r;
      },
    );
    if (lock) {
      await new Promise((r) => setTimeout(r, 300));
      expect(personDone).toBe(false);
    }
    release();
    await batch;
    expect((await person).statusCode).toBe(200);
    const sig = signatureOf(await problem(id));
    expect(sig.human).toBe(true);
    expect(sig.keys).toContain('outage@t:US:TX:austin');
    expect(await activeCases(id)).toContain(extra.case_id);
  });

  it('an agent changes a problem owned by a team only as a member of it', async () => {
    const now = Date.now();
    for (const team of ['team-fibre', 'team-billing'])
      await db()
        .insertInto('teams')
        .values({ id: team, workspace_id: ws(), name: team, created_at: now })
        .execute();
    /** An agent of the team, signed in: their session cookie. */
    const agentOf = async (team: string) => {
      const email = `${team}-${++n}@example.com`;
      const { id } = await createUser(db(), {
        workspaceId: ws(),
        email,
        name: team,
        role: 'agent',
        password: 'agent password 123',
      });
      await db()
        .insertInto('agent_profiles')
        .values({
          user_id: id,
          workspace_id: ws(),
          availability: 'online',
          capacity: 5,
          skills_json: '[]',
          team_id: team,
          last_assigned_at: null,
          updated_at: now,
        })
        .execute();
      const login = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: 'agent password 123' },
      });
      expect(login.statusCode).toBe(200);
      return String(login.headers['set-cookie']).split(';')[0];
    };
    const fibre = await agentOf('team-fibre');
    const billing = await agentOf('team-billing');
    const owned = await autoProblem(await cases(1));
    await db()
      .updateTable('problems')
      .set({ owner_team_id: 'team-fibre' })
      .where('id', '=', owned)
      .execute();
    const unowned = await autoProblem(await cases(1));
    const update = (cookie: string, id: string) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/problems/${id}/status`,
        headers: { cookie },
        payload: { status: 'confirmed', silent: true },
      });
    expect((await update(billing, owned)).statusCode).toBe(403);
    expect((await problem(owned)).status).toBe('suspected');
    expect((await update(fibre, owned)).statusCode).toBe(200);
    expect((await update(billing, unowned)).statusCode).toBe(200);
    // Nor may they link, split or merge it.
    const as = (cookie: string, url: string, payload: unknown) =>
      t.app.http.inject({ method: 'POST', url, headers: { cookie }, payload: payload as never });
    const [other] = await cases(1);
    const links = `/api/v1/problems/${owned}/links`;
    expect((await as(billing, links, { link: [other.case_id] })).statusCode).toBe(403);
    const merge = `/api/v1/problems/${unowned}/merge`;
    expect((await as(billing, merge, { intoId: owned })).statusCode).toBe(403);
    expect((await as(fibre, links, { link: [other.case_id] })).statusCode).toBe(200);
  });

  it('a case a person unlinked is not linked back when its customer writes again', async () => {
    const author = { id: `shape-unlink-${++n}` };
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
});
