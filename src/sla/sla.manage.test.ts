import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { createApiToken } from '../platform/auth/tokens.js';

/** SLA policies and calendars can be read, changed and removed; running clocks keep theirs. */
describe.each(ENGINES)('SLA administration on %s', (engine) => {
  let t: TestApp;
  let agent: { authorization: string };
  beforeAll(async () => {
    t = await testApp(engine);
    const { token } = await createApiToken(
      t.app.database.db,
      t.app.workspace.workspaceId,
      'agent',
      'agent',
    );
    agent = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await t.close();
  });
  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers = t.auth,
  ) => t.app.http.inject({ method, url, headers, payload: payload as never });
  let phone = 6000;
  /** A new urgent SMS case (an outage complaint), and its first-response target in minutes. */
  const urgentCase = async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1415555${phone++}` },
      text: 'URGENT my service is completely down, I cannot call 911',
      sentAt: new Date().toISOString(),
    });
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['cases.id', 'cases.priority'])
      .where('messages.external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const sla = (await api('GET', `/api/v1/cases/${row.id}/sla`)).json();
    return {
      id: row.id,
      priority: row.priority,
      target: sla.clocks.first_response?.targetMinutes as number,
    };
  };

  it('reads, changes (checked as on create) and removes calendars', async () => {
    const created = await api('POST', '/api/v1/sla/calendars', {
      name: 'Paris office',
      timeZone: 'Europe/Paris',
      hours: { '1': [['09:00', '17:00']] },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await api('GET', `/api/v1/sla/calendars/${id}`)).json()).toMatchObject({
      id,
      name: 'Paris office',
      timeZone: 'Europe/Paris',
      hours: { '1': [['09:00', '17:00']] },
      holidays: [],
    });
    const listed = (await api('GET', '/api/v1/sla/calendars')).json();
    expect(listed.items.map((c: { id: string }) => c.id)).toContain(id);
    const changed = await api('PATCH', `/api/v1/sla/calendars/${id}`, {
      holidays: ['2026-12-25'],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      hours: { '1': [['09:00', '17:00']] },
      holidays: ['2026-12-25'],
    });
    const never = await api('PATCH', `/api/v1/sla/calendars/${id}`, { hours: {} });
    expect(never.statusCode).toBe(400);
    expect(never.json().error.message).toMatch(/open at least once/);
    expect(
      (await api('PATCH', `/api/v1/sla/calendars/${id}`, { timeZone: 'Mars/Olympus' })).statusCode,
    ).toBe(400);
    expect((await api('PATCH', `/api/v1/sla/calendars/${id}`, { colour: 'red' })).statusCode).toBe(
      400,
    );
    expect((await api('GET', `/api/v1/sla/calendars/${id}`)).json().holidays).toEqual([
      '2026-12-25',
    ]);
    // A calendar a policy uses stays until the policy lets go of it.
    const policy = await api('POST', '/api/v1/sla/policies', {
      name: 'Low with hours',
      priority: 'low',
      calendarId: id,
      firstResponseMinutes: 600,
    });
    expect(policy.statusCode).toBe(201);
    const inUse = await api('DELETE', `/api/v1/sla/calendars/${id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.message).toContain(policy.json().id);
    const off = await api('PATCH', `/api/v1/sla/policies/${policy.json().id}`, {
      calendarId: null,
    });
    expect(off.json().calendarId).toBeNull();
    expect((await api('DELETE', `/api/v1/sla/calendars/${id}`)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/sla/calendars/${id}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(204);
  });

  it('changes a policy, refusing a priority and channel another has (409 naming it)', async () => {
    const a = await api('POST', '/api/v1/sla/policies', {
      name: 'High on SMS',
      priority: 'high',
      channel: 'sms',
      firstResponseMinutes: 20,
    });
    const b = await api('POST', '/api/v1/sla/policies', {
      name: 'High elsewhere',
      priority: 'high',
      firstResponseMinutes: 45,
    });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const clash = await api('PATCH', `/api/v1/sla/policies/${b.json().id}`, { channel: 'sms' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.message).toContain(a.json().id);
    // Its own priority and channel again is no clash.
    const same = await api('PATCH', `/api/v1/sla/policies/${a.json().id}`, {
      priority: 'high',
      channel: 'sms',
      name: 'High on SMS (renamed)',
      resolutionMinutes: null,
    });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({
      name: 'High on SMS (renamed)',
      priority: 'high',
      channel: 'sms',
      firstResponseMinutes: 20,
      resolutionMinutes: null,
    });
    expect(
      (await api('PATCH', `/api/v1/sla/policies/${a.json().id}`, { calendarId: 'nope' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api('PATCH', `/api/v1/sla/policies/${a.json().id}`, { firstResponseMinutes: 600_000 }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api('PATCH', `/api/v1/sla/policies/${a.json().id}`, { channel: 'pigeon' })).statusCode,
    ).toBe(400);
    const all = (await api('GET', '/api/v1/sla/policies')).json().items as { id: string }[];
    expect(all.map((p) => p.id)).toEqual(expect.arrayContaining([a.json().id, b.json().id]));
    for (const p of [a, b]) {
      expect((await api('DELETE', `/api/v1/sla/policies/${p.json().id}`)).statusCode).toBe(204);
    }
  });

  it('unknown ids are 404 and agents may not read or change SLAs', async () => {
    for (const kind of ['policies', 'calendars']) {
      expect((await api('GET', `/api/v1/sla/${kind}/nope`)).statusCode).toBe(404);
      expect((await api('PATCH', `/api/v1/sla/${kind}/nope`, { name: 'x' })).statusCode).toBe(404);
      expect((await api('DELETE', `/api/v1/sla/${kind}/nope`)).statusCode).toBe(404);
      expect((await api('GET', `/api/v1/sla/${kind}`, undefined, agent)).statusCode).toBe(403);
      expect(
        (await api('PATCH', `/api/v1/sla/${kind}/nope`, { name: 'x' }, agent)).statusCode,
      ).toBe(403);
      expect((await api('DELETE', `/api/v1/sla/${kind}/nope`, undefined, agent)).statusCode).toBe(
        403,
      );
    }
  });

  it('a case keeps the targets it was opened under; cases opened after a change take it', async () => {
    const before = await urgentCase();
    const p = await api('POST', '/api/v1/sla/policies', {
      name: 'Mine',
      priority: before.priority,
      firstResponseMinutes: 7,
    });
    expect(p.statusCode).toBe(201);
    const under = await urgentCase();
    expect(under.target).toBe(7);
    expect(
      (await api('PATCH', `/api/v1/sla/policies/${p.json().id}`, { firstResponseMinutes: 11 }))
        .statusCode,
    ).toBe(200);
    const after = await urgentCase();
    expect(after.target).toBe(11);
    const kept = (await api('GET', `/api/v1/cases/${under.id}/sla`)).json();
    expect(kept.clocks.first_response.targetMinutes).toBe(7);
    expect((await api('DELETE', `/api/v1/sla/policies/${p.json().id}`)).statusCode).toBe(204);
    expect(
      (await api('GET', `/api/v1/cases/${after.id}/sla`)).json().clocks.first_response
        .targetMinutes,
    ).toBe(11);
    expect((await urgentCase()).target).toBe(before.target);
  });
});
