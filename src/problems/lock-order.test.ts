import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';

/**
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
    const made = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/problems',
      headers: t.auth,
      payload: { caseId, topic: 'outage', title: 'Outage' },
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
    const fix = t.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${problemId}/status`,
      headers: t.auth,
      payload: { status: 'fixed', silent: true },
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
});
