import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld, iso } from './test-world.js';

const H = 3_600_000;

/** The care core refuses what it cannot honour, and automation never speaks for an agent. */
describe.each(ENGINES)('care core checks on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest, caseOf, sendingChannels } = careWorld(() => t);
  sendingChannels();

  it('a promise that could never be kept or reminded is refused when made', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550402' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const due = Date.now() + 5 * H;
    const base = { kind: 'follow_up', description: 'Call back with the engineer slot' };
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ ownerUserId: 'nope' }, /ownerUserId "nope" is not a user/],
      [{ ownerTeamId: 'nope' }, /ownerTeamId "nope" is not a team/],
      [{ channel: 'pigeon' }, /unknown channel pigeon/],
      [{ remindAt: iso(due + H) }, /remindAt must be between now and dueAt/],
      [{ dueAt: '9999-12-31T00:00:00Z' }, /dueAt must be within a year/],
    ];
    for (const [extra, message] of refused) {
      const res = await api('POST', `/api/v1/cases/${c.id}/promises`, {
        ...base,
        dueAt: iso(due),
        ...extra,
      });
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    const ok = await api('POST', `/api/v1/cases/${c.id}/promises`, {
      ...base,
      dueAt: iso(due),
      remindAt: iso(due - H),
      channel: 'sms',
    });
    expect(ok.statusCode).toBe(201);
    const stats = await api('GET', '/api/v1/promises/stats');
    expect(JSON.stringify(stats.json())).not.toContain('nope');
  });

  it('a public post resolved gets no survey, and none is counted as sent', async () => {
    const m = aMessage({ channel: 'x', visibility: 'public', author: { id: '9900112233' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const res = await api('PATCH', `/api/v1/cases/${c.id}`, { status: 'resolved', reason: 'ok' });
    expect(res.statusCode).toBe(200);
    const surveys = await db()
      .selectFrom('csat_surveys')
      .select('id')
      .where('case_id', '=', c.id)
      .execute();
    expect(surveys).toEqual([]);
    const out = await db()
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', c.id)
      .where('direction', '=', 'out')
      .execute();
    expect(out).toEqual([]);
  });

  it('a canned reply or macro that could never be used is refused when saved', async () => {
    const bad = await api('POST', '/api/v1/canned-replies', { name: 'bad', body: 'Hi {{nope}}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/unknown template variable \{\{nope\}\}/);
    const good = await api('POST', '/api/v1/canned-replies', {
      name: 'hello',
      body: 'Hi {{customer.first_name}}, about case {{case.number}}',
    });
    expect(good.statusCode).toBe(201);
    const macros: [unknown[], RegExp][] = [
      [[{ type: 'reply' }], /needs text or cannedReplyId/],
      [[{ type: 'reply', cannedReplyId: 'nope' }], /unknown cannedReplyId nope/],
      [[{ type: 'reply', text: 'Hi {{custmer.name}}' }], /unknown template variable/],
      [
        [
          { type: 'reply', text: 'On it, {{customer.first_name}}' },
          { type: 'note', body: 'Call back on {{customer.phone}}' },
        ],
        /actions\/1\/body: unknown template variable \{\{customer\.phone\}\}/,
      ],
      [[{ type: 'assign', userId: 'nope' }], /userId "nope" is not a user/],
    ];
    for (const [actions, message] of macros) {
      const res = await api('POST', '/api/v1/macros', { name: 'm', actions });
      expect(res.statusCode, JSON.stringify(actions)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    const ok = await api('POST', '/api/v1/macros', {
      name: 'ok',
      actions: [
        { type: 'reply', cannedReplyId: good.json().id },
        { type: 'note', body: 'Sent the greeting to {{customer.name}}' },
        { type: 'assign', userId: null },
      ],
    });
    expect(ok.statusCode).toBe(201);
  });

  it('the survey sent on resolve keeps no promise', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550401' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const p = await api('POST', `/api/v1/cases/${c.id}/promises`, {
      kind: 'follow_up',
      description: 'Text when the engineer is booked',
      dueAt: iso(Date.now() + 5 * H),
    });
    expect(p.statusCode).toBe(201);
    await api('PATCH', `/api/v1/cases/${c.id}`, { status: 'resolved', reason: 'line reset' });
    const survey = await db()
      .selectFrom('messages')
      .select('text')
      .where('case_id', '=', c.id)
      .where('direction', '=', 'out')
      .execute();
    expect(survey.at(-1)?.text).toMatch(/How did we do/);
    const open = (await api('GET', `/api/v1/promises?case=${c.id}`)).json().items;
    expect(open.map((x: { status: string }) => x.status)).toEqual(['open']);
    const history = (await api('GET', `/api/v1/cases/${c.id}`)).json().history;
    expect(history.map((h: { type: string }) => h.type)).not.toContain('promise_kept');
  });

  it('a handoff on a stale view is a 409, once for concurrent ones; the address must be real', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550402' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const identities = () =>
      db()
        .selectFrom('identities')
        .select('address')
        .where('customer_id', '=', c.customer_id)
        .where('channel', '=', 'email')
        .execute();
    const handoff = (payload: unknown) => api('POST', `/api/v1/cases/${c.id}/handoff`, payload);
    const bad = await handoff({ to: 'email', address: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/not-an-email/);
    const stale = await handoff({
      to: 'email',
      address: 'stale@example.com',
      expectedVersion: c.version - 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(await identities()).toEqual([]);
    const all = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        handoff({
          to: 'email',
          address: `race${i}@example.com`,
          text: 'Continuing by email',
          expectedVersion: c.version,
        }),
      ),
    );
    expect(all.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await identities()).toHaveLength(1);
  });

  it('a change answers with the case as GET shows it, customer name included', async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550417', name: 'Dana Whitfield' },
    });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const patched = await api('PATCH', `/api/v1/cases/${c.id}`, {
      priority: 'high',
      reason: 'outage',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().customerName).toBe('Dana Whitfield');
    expect(patched.json()).toEqual((await api('GET', `/api/v1/cases/${c.id}`)).json());
    const macro = await api('POST', '/api/v1/macros', {
      name: 'escalate',
      actions: [{ type: 'priority', priority: 'urgent' }],
    });
    const applied = await api('POST', `/api/v1/cases/${c.id}/macros/${macro.json().id}`);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ customerName: 'Dana Whitfield', priority: 'urgent' });
  });

  it('identities are on known channels', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550403' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const add = (channel: string, address: string) =>
      api('POST', `/api/v1/customers/${c.customer_id}/identities`, {
        channel,
        address,
        verified: false,
      });
    const pigeon = await add('pigeon', 'coop 7');
    expect(pigeon.statusCode).toBe(400);
    expect(pigeon.json().error.message).toMatch(/pigeon/);
    expect((await add('email', 'nope')).statusCode).toBe(400);
    expect((await add('email', 'ok@example.com')).statusCode).toBe(201);
    expect((await add('account', '1234-5678')).statusCode).toBe(201);
  });

  it('unknown ids are 404s, not quiet successes', async () => {
    expect((await api('POST', '/api/v1/reputation-alerts/nope/acknowledge')).statusCode).toBe(404);
    expect((await api('PUT', '/api/v1/cases/nope/presence', { state: 'typing' })).statusCode).toBe(
      404,
    );
    const stored = await db()
      .selectFrom('presence')
      .select('case_id')
      .where('case_id', '=', 'nope')
      .execute();
    expect(stored).toEqual([]);
    expect((await api('GET', '/api/v1/customers/nope/merges')).statusCode).toBe(404);
    expect((await api('DELETE', '/api/v1/routing-rules/nope')).statusCode).toBe(404);
    // Known ids still work.
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550404' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    expect(
      (await api('PUT', `/api/v1/cases/${c.id}/presence`, { state: 'typing' })).statusCode,
    ).toBe(200);
    expect((await api('GET', `/api/v1/customers/${c.customer_id}/merges`)).json()).toEqual({
      items: [],
    });
    const rule = await api('POST', '/api/v1/routing-rules', {
      name: 'sms',
      queueId: t.app.workspace.defaultQueueId,
      conditions: { channel: ['sms'] },
    });
    expect(rule.statusCode).toBe(201);
    expect((await api('DELETE', `/api/v1/routing-rules/${rule.json().id}`)).statusCode).toBe(204);
  });

  it('list filters with unknown values are 400s naming the value', async () => {
    for (const [url, value] of [
      ['/api/v1/cases?status=bogus', 'bogus'],
      ['/api/v1/cases?status=open,OPEN', 'OPEN'],
      ['/api/v1/cases?channel=X', 'X'],
      ['/api/v1/promises?status=bogus', 'bogus'],
    ]) {
      const res = await api('GET', url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message).toContain(value);
    }
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550405' } });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const ids = async (url: string) =>
      (await api('GET', url)).json().items.map((x: { id: string }) => x.id);
    expect(await ids('/api/v1/cases?status=new,open&channel=sms,email&limit=200')).toContain(c.id);
    expect(await ids('/api/v1/cases?channel=email&limit=200')).not.toContain(c.id);
    expect((await api('GET', '/api/v1/promises?status=open,kept')).statusCode).toBe(200);
  });
});
