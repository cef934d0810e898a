import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { careWorld } from '../cases/test-world.js';
import { createUser } from '../platform/auth/users.js';
import { type AssignScope, assignmentTrigger } from './assign.trigger.js';

/**
 * A case that found every agent full used to wait until new cases arrived or an agent came
 * online: resolving a case, raising a capacity or adding a queue member left it unassigned.
 */
describe.each(ENGINES)('waiting cases get room as it opens, on %s', (engine) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  let queueId = '';
  beforeAll(async () => {
    t = await testApp(engine);
    for (const name of ['a1', 'a2', 'a3', 'a4']) {
      const u = await createUser(t.app.database.db, {
        workspaceId: t.app.workspace.workspaceId,
        email: `${name}@desk.test`,
        name,
        role: 'agent',
        password: 'a-long-password',
      });
      ids[name] = u.id;
    }
  });
  afterAll(async () => {
    await t.close();
  });
  const w = careWorld(() => t);
  const { api, db } = w;
  let n = 0;
  /** SMS cases from new customers, through the pipeline and the run it asks for. */
  const sms = async (k: number) => {
    const msgs = Array.from({ length: k }, () =>
      aMessage({
        channel: 'sms',
        visibility: 'private',
        author: { id: `+1415555${String(8000 + ++n)}` },
        sentAt: new Date(Date.now() - 60_000 + n).toISOString(),
      }),
    );
    await w.ingest(...msgs);
    await t.app.care.assignmentSettled();
    return Promise.all(msgs.map(async (m) => (await w.caseOf(m.externalId)).id));
  };
  const assignee = async (caseId: string) =>
    (
      await db()
        .selectFrom('cases')
        .select('assignee_id')
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow()
    ).assignee_id;
  const settled = () => t.app.care.assignmentSettled();

  it('resolving a case gives its agent’s room to the case waiting (QA: #523)', async () => {
    const q = await api('POST', '/api/v1/queues', {
      name: 'Texts',
      assignmentMode: 'round_robin',
      members: [ids.a1, ids.a2, ids.a3],
    });
    queueId = q.json().id;
    const rule = await api('POST', '/api/v1/routing-rules', {
      name: 'sms',
      position: 0,
      queueId,
      conditions: { channel: ['sms'] },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    await api('PUT', `/api/v1/agents/${ids.a1}`, { availability: 'online', capacity: 1 });
    await api('PUT', `/api/v1/agents/${ids.a2}`, { availability: 'online', capacity: 5 });
    await api('PUT', `/api/v1/agents/${ids.a3}`, { availability: 'away', capacity: 5 });
    const cases = await sms(7);
    const who = await Promise.all(cases.map(assignee));
    expect(who.filter((a) => a === ids.a1)).toHaveLength(1);
    expect(who.filter((a) => a === ids.a2)).toHaveLength(5);
    const waiting = cases[who.indexOf(null)];
    expect(who.filter((a) => a === null)).toHaveLength(1);
    const a1Case = cases[who.indexOf(ids.a1)];
    const res = await api('PATCH', `/api/v1/cases/${a1Case}`, { status: 'resolved' });
    expect(res.statusCode, res.body).toBe(200);
    await settled();
    expect(await assignee(waiting)).toBe(ids.a1);
  });

  it('pending frees room; so do a raised capacity and a new queue member', async () => {
    const [first] = await sms(1);
    expect(await assignee(first)).toBeNull();
    // a1's case waits on the customer: only new and open cases count against capacity.
    const mine = await db()
      .selectFrom('cases')
      .select('id')
      .where('assignee_id', '=', ids.a1)
      .where('status', 'in', ['new', 'open'])
      .executeTakeFirstOrThrow();
    const p = await api('PATCH', `/api/v1/cases/${mine.id}`, {
      status: 'pending',
      statusReason: 'customer',
    });
    expect(p.statusCode, p.body).toBe(200);
    await settled();
    expect(await assignee(first)).toBe(ids.a1);

    const [second] = await sms(1);
    expect(await assignee(second)).toBeNull();
    await api('PUT', `/api/v1/agents/${ids.a2}`, { capacity: 6 });
    await settled();
    expect(await assignee(second)).toBe(ids.a2);

    const [third] = await sms(1);
    expect(await assignee(third)).toBeNull();
    await api('PUT', `/api/v1/agents/${ids.a4}`, { availability: 'online', capacity: 3 });
    await settled();
    expect(await assignee(third)).toBeNull(); // online, but not in the queue yet
    const m = await api('PATCH', `/api/v1/queues/${queueId}`, {
      members: [ids.a1, ids.a2, ids.a3, ids.a4],
    });
    expect(m.statusCode, m.body).toBe(200);
    await settled();
    expect(await assignee(third)).toBe(ids.a4);
  });

  it('unassigning gives the room back; the sweep catches room that opened elsewhere', async () => {
    await api('PUT', `/api/v1/agents/${ids.a4}`, { capacity: 1 });
    const [waiting] = await sms(1);
    expect(await assignee(waiting)).toBeNull();
    const a4Case = await db()
      .selectFrom('cases')
      .select('id')
      .where('assignee_id', '=', ids.a4)
      .executeTakeFirstOrThrow();
    // Handed to a2 by hand (a2 is over capacity then, as a person may decide): a4 has room.
    const moved = await api('POST', `/api/v1/cases/${a4Case.id}/assign`, { userId: ids.a2 });
    expect(moved.json()).toEqual({ assigneeId: ids.a2 });
    await settled();
    expect(await assignee(waiting)).toBe(ids.a4);

    // Another node (or a problem's fix) resolves a4's case: nothing here asked for a run.
    const [later] = await sms(1);
    expect(await assignee(later)).toBeNull();
    await db().updateTable('cases').set({ status: 'resolved' }).where('id', '=', waiting).execute();
    await settled();
    expect(await assignee(later)).toBeNull();
    await t.app.care.scheduler.tick(Date.now());
    expect(await assignee(later)).toBe(ids.a4);
  });
});

describe('assignment requests are coalesced', () => {
  it('runs once for a burst of requests, over the queues and agents they named', async () => {
    const runs: AssignScope[] = [];
    let release: () => void = () => {};
    const trigger = assignmentTrigger(async (scope) => {
      runs.push(scope);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    trigger.request({ queueIds: ['q1', null], userIds: ['u1'] });
    trigger.request({ queueIds: ['q2'] });
    // The run starts on a later turn of the event loop: wait until it has.
    while (runs.length === 0) await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([{ queueIds: ['q1', 'q2'], userIds: ['u1'] }]);
    // While a run goes, requests queue exactly one more; one naming nothing means every queue.
    trigger.request({ userIds: ['u2'] });
    trigger.request();
    release();
    await trigger.settled();
    expect(runs).toEqual([{ queueIds: ['q1', 'q2'], userIds: ['u1'] }, null]);
  });

  it('a failing run does not stop later ones', async () => {
    let calls = 0;
    const trigger = assignmentTrigger(async () => {
      calls++;
      if (calls === 1) throw new Error('database gone');
    });
    trigger.request();
    await trigger.settled();
    trigger.request();
    await trigger.settled();
    expect(calls).toBe(2);
  });
});
