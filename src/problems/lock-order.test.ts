import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { applyDecisions } from './apply-decisions.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { openProblems, signatureOf } from './problem.store.js';
import { problemsWorld } from './test-world.js';

/**
 * Writers of one problem at the same moment: two people, a batch and a person. On PostgreSQL
 * they run concurrently and must neither overwrite nor wait for each other in a cycle; on
 * SQLite one connection serialises them (the same tests pass trivially there).
 *
 * A pipeline batch that has already written a case (its route stage raised the priority) and a
 * person fixing the problem that case is linked to, at the same moment. The person's change
 * takes the problem, then its cases; the batch must have taken the problem before the case, or
 * on PostgreSQL each waits for the other (a deadlock: one of them fails and is redone).
 */
describe.each(ENGINES)('a batch and a person changing one problem on %s', (engine) => {
  let t: TestApp;
  let hold: Promise<void> | null = null;
  let held: (() => void) | null = null;
  beforeAll(async () => {
    t = await testApp(
      engine,
      {},
      {
        afterStage: async (name) => {
          if (name !== 'route' || !hold) return;
          held?.();
          await hold;
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
  });
  const { db, ws, api, cases, autoProblem, problem, activeCases } = problemsWorld(() => t);

  it('neither fails: the person waits for the batch, then both changes stand', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const author = { id: '+14155550999' };
    const first = aMessage({
      channel: 'sms',
      visibility: 'private',
      author,
      text: 'my internet is down',
      sentAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await appendInbound(db, ws, [first], Date.now());
    await t.app.pipeline.drain();
    const { case_id: caseId } = await db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', first.externalId)
      .executeTakeFirstOrThrow();
    const made = await asAdmin(t, 'POST', '/api/v1/problems', {
      caseId,
      topic: 'outage',
      title: 'Outage',
    });
    expect(made.statusCode, made.body).toBe(201);
    const problemId = made.json().id as string;

    // The customer writes again, urgently: the batch raises the case's priority (a case write)
    // in its route stage, and is held there.
    let release!: () => void;
    hold = new Promise<void>((r) => {
      release = r;
    });
    const reached = new Promise<void>((r) => {
      held = r;
    });
    const urgent = aMessage({
      channel: 'sms',
      visibility: 'private',
      author,
      text: 'there are sparks and smoke coming from the box outside, this is dangerous!!',
      sentAt: new Date().toISOString(),
    });
    await appendInbound(db, ws, [urgent], Date.now());
    const batch = t.app.pipeline.drain();
    await reached;
    const fix = asAdmin(t, 'POST', `/api/v1/problems/${problemId}/status`, {
      status: 'fixed',
      silent: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    hold = null;
    release();
    await batch;
    const res = await fix;
    expect(res.statusCode, res.body).toBe(200);
    // The batch went through at its first attempt (a deadlock would have made it redo).
    const event = await db
      .selectFrom('inbound_events')
      .select(['status', 'attempts'])
      .where('external_id', '=', urgent.externalId)
      .executeTakeFirstOrThrow();
    expect(event.status).toBe('done');
    expect(event.attempts).toBeLessThanOrEqual(1);
    const c = await db
      .selectFrom('cases')
      .select(['status', 'priority'])
      .where('id', '=', caseId!)
      .executeTakeFirstOrThrow();
    expect(c.status).toBe('pending');
    expect(['high', 'urgent']).toContain(c.priority);
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
          [{ type: 'own', problemId: id, at: Date.now(), key: 'outage@t:US:TX:austin' }],
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
});
