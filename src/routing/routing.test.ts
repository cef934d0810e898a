import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, logIn, sessionCookie, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { createUser } from '../platform/auth/users.js';

describe.each(ENGINES)('routing on %s', (engine) => {
  let t: TestApp;
  const agents: string[] = [];
  beforeAll(async () => {
    t = await testApp(engine);
    for (const name of ['ann', 'bob', 'cai']) {
      const u = await createUser(t.app.database.db, {
        workspaceId: t.app.workspace.workspaceId,
        email: `${name}@desk.test`,
        name,
        role: 'agent',
        password: 'a-long-password',
      });
      agents.push(u.id);
    }
  });
  afterAll(async () => {
    await t.close();
  });
  const w = careWorld(() => t);
  const { db, caseOf } = w;
  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => t.app.http.inject({ method, url, headers: t.auth, payload: payload as never });
  /** Messages through the pipeline, then assigned at once. */
  const ingest = async (...msgs: InboundMessage[]) => {
    await w.ingest(...msgs);
    await t.app.care.assignNow();
  };

  it('routes new cases by rules in order, else to the default queue', async () => {
    const q = await api('POST', '/api/v1/queues', { name: 'Email desk' });
    expect(q.statusCode).toBe(201);
    const queueId = q.json().id;
    const r = await api('POST', '/api/v1/routing-rules', {
      name: 'email to email desk',
      position: 1,
      queueId,
      conditions: { channel: ['email'] },
    });
    expect(r.statusCode).toBe(201);
    const mail = aMessage({
      channel: 'email',
      visibility: 'private',
      author: { id: 'r1@example.com' },
    });
    const sms = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550999' } });
    await ingest(mail, sms);
    expect((await caseOf(mail.externalId)).queue_id).toBe(queueId);
    expect((await caseOf(sms.externalId)).queue_id).toBe(t.app.workspace.defaultQueueId);
    const bad = await api('POST', '/api/v1/routing-rules', {
      name: 'x',
      queueId: 'nope',
      conditions: { channel: ['x'] },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses rule conditions no message can meet, naming the value', async () => {
    const queueId = t.app.workspace.defaultQueueId;
    const rule = (conditions: object) =>
      api('POST', '/api/v1/routing-rules', { name: 'typo', queueId, conditions });
    const before = (await api('GET', '/api/v1/routing-rules')).json().items.length;
    const refused: [object, string][] = [
      [{ channel: ['email', 'twiter'] }, 'conditions/channel/1: unknown channel "twiter"'],
      [{ topic: ['billling'] }, 'conditions/topic/0: unknown topic "billling"'],
      [{ urgency: ['lawyerr'] }, 'conditions/urgency/0: unknown urgency "lawyerr"'],
      [{ language: ['english'] }, 'conditions/language/0: "english" is not a two-letter'],
    ];
    for (const [conditions, message] of refused) {
      const res = await rule(conditions);
      expect(res.statusCode, JSON.stringify(conditions)).toBe(400);
      expect(res.json().error.message).toContain(message);
    }
    expect((await api('GET', '/api/v1/routing-rules')).json().items).toHaveLength(before);
    // Matched whatever their case, so taken whatever their case.
    const ok = await rule({
      channel: ['Email'],
      topic: ['Billing'],
      language: ['EN'],
      urgency: ['legal'],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await api('DELETE', `/api/v1/routing-rules/${ok.json().id}`)).statusCode).toBe(204);
  });

  it('followers never change priority; high reach raises a reputation alert instead', async () => {
    const text = 'My internet has been down for two days and nobody helps. I am so angry.';
    const small = aMessage({ channel: 'x', text, author: { id: 'tiny', followers: 3 } });
    const huge = aMessage({ channel: 'x', text, author: { id: 'huge', followers: 2_000_000 } });
    const events: string[] = [];
    const off = t.app.bus.subscribe((e) => events.push(e.type));
    await ingest(small, huge);
    off();
    const a = await caseOf(small.externalId);
    const b = await caseOf(huge.externalId);
    expect(b.priority).toBe(a.priority);
    expect(b.priority_score).toBe(a.priority_score);
    expect(b.queue_id).toBe(a.queue_id);
    expect(a.priority_score).toBeGreaterThan(0);
    const alerts = (await api('GET', '/api/v1/reputation-alerts?open=true')).json().items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      externalId: huge.externalId,
      followers: 2_000_000,
      caseId: b.id,
    });
    expect(events).toContain('reputation.alert');
    const ack = await api('POST', `/api/v1/reputation-alerts/${alerts[0].id}/acknowledge`);
    expect(ack.statusCode).toBe(200);
    expect((await api('GET', '/api/v1/reputation-alerts?open=true')).json().items).toEqual([]);
  });

  it('assigns round-robin among online members with room, and skips offline agents', async () => {
    const q = await api('POST', '/api/v1/queues', {
      name: 'Phones',
      assignmentMode: 'round_robin',
      members: agents,
    });
    const queueId = q.json().id;
    await api('POST', '/api/v1/routing-rules', {
      name: 'voice',
      position: 0,
      queueId,
      conditions: { channel: ['voice'] },
    });
    await api('PUT', `/api/v1/agents/${agents[0]}`, { availability: 'online', capacity: 2 });
    await api('PUT', `/api/v1/agents/${agents[1]}`, { availability: 'online', capacity: 2 });
    await api('PUT', `/api/v1/agents/${agents[2]}`, { availability: 'offline', capacity: 9 });
    const calls = Array.from({ length: 5 }, (_, i) =>
      aMessage({ channel: 'voice', visibility: 'private', author: { id: `+1415555070${i}` } }),
    );
    await ingest(...calls);
    const assigned = await Promise.all(
      calls.map(async (c) => (await caseOf(c.externalId)).assignee_id),
    );
    const count = (id: string | null) => assigned.filter((a) => a === id).length;
    expect(count(agents[0])).toBe(2);
    expect(count(agents[1])).toBe(2);
    expect(count(agents[2])).toBe(0);
    expect(count(null)).toBe(1);
    // The third agent comes online and takes the waiting case (the run after the change).
    await api('PUT', `/api/v1/agents/${agents[2]}`, { availability: 'online' });
    await t.app.care.assignmentSettled();
    const waiting = calls[assigned.indexOf(null)];
    expect((await caseOf(waiting.externalId)).assignee_id).toBe(agents[2]);
    const list = (await api('GET', '/api/v1/agents')).json().items;
    expect(list.find((a: { id: string }) => a.id === agents[0]).load).toBe(2);
    const history = (
      await api('GET', `/api/v1/cases/${(await caseOf(calls[0].externalId)).id}`)
    ).json().history;
    expect(history.find((h: { type: string }) => h.type === 'assigned').data.how).toBe(
      'round_robin',
    );
  });

  it('manual assignment through the API', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550888' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const res = await api('POST', `/api/v1/cases/${c.id}/assign`, { userId: agents[2] });
    expect(res.statusCode).toBe(200);
    expect((await caseOf(m.externalId)).assignee_id).toBe(agents[2]);
  });

  it('an agent changes only their own availability; team ids must exist', async () => {
    const now = Date.now();
    const ws = t.app.workspace.workspaceId;
    await db()
      .insertInto('teams')
      .values({ id: 'team-other', workspace_id: ws, name: 'Other', created_at: now })
      .execute();
    const cookie = sessionCookie(await logIn(t, 'ann@desk.test', 'a-long-password'));
    const asAnn = (payload: unknown) =>
      t.app.http.inject({
        method: 'PUT',
        url: `/api/v1/agents/${agents[0]}`,
        headers: { cookie },
        payload: payload as never,
      });
    expect((await asAnn({ availability: 'away' })).statusCode).toBe(200);
    for (const body of [
      { teamId: 'team-other' },
      { capacity: 1000 },
      { skills: { topics: ['billing'] } },
      { availability: 'online', teamId: null },
    ]) {
      const res = await asAnn(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(403);
    }
    const profile = await db()
      .selectFrom('agent_profiles')
      .selectAll()
      .where('user_id', '=', agents[0])
      .executeTakeFirstOrThrow();
    expect(profile.team_id).toBeNull();
    expect(profile.capacity).toBe(2);
    // An admin may set the team, but only to a team that exists.
    expect((await api('PUT', `/api/v1/agents/${agents[0]}`, { teamId: 'nope' })).statusCode).toBe(
      400,
    );
    expect((await api('POST', '/api/v1/queues', { name: 'Q', teamId: 'nope' })).statusCode).toBe(
      400,
    );
    expect(
      (await api('PUT', `/api/v1/agents/${agents[0]}`, { teamId: 'team-other' })).statusCode,
    ).toBe(200);
    expect(
      (await api('POST', '/api/v1/queues', { name: 'Q', teamId: 'team-other' })).statusCode,
    ).toBe(201);
  });
});
