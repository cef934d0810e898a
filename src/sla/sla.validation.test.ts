import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { captureLogs } from '../../test/support/logs.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { newId } from '../platform/ids.js';

/** SLA administration refuses what would break deadlines, and intake survives what slips by. */
describe.each(ENGINES)('SLA validation on %s', (engine) => {
  let t: TestApp;
  const logs = captureLogs();
  beforeAll(async () => {
    t = await testApp(engine, {}, { logger: logs.logger });
  });
  afterAll(async () => {
    await t?.close();
  });
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  const post = (url: string, payload: unknown) =>
    t.app.http.inject({ method: 'POST', url, headers: t.auth, payload: payload as never });
  const calendar = (over: Record<string, unknown>) =>
    post('/api/v1/sla/calendars', {
      name: 'c',
      timeZone: 'Europe/Paris',
      hours: { '1': [['09:00', '17:00']] },
      ...over,
    });

  it('refuses calendars without usable hours, naming the problem', async () => {
    expect((await calendar({})).statusCode).toBe(201);
    expect((await calendar({ hours: { '1': [['00:00', '24:00']] } })).statusCode).toBe(201);
    // Any order, and hours that touch without sharing time, are fine.
    const split = {
      '1': [
        ['12:00', '17:00'],
        ['09:00', '12:00'],
      ],
    };
    expect((await calendar({ hours: split })).statusCode).toBe(201);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ hours: {} }, /open at least once/],
      [{ hours: { mon: [['09:00', '17:00']] } }, /weekday "mon"/],
      [{ hours: { '9': [['09:00', '17:00']] } }, /weekday "9"/],
      [{ hours: { '1': [['17:00', '09:00']] } }, /start before end/],
      [{ hours: { '1': [['25:00', '26:00']] } }, /00:00 to 24:00/],
      [{ hours: { '1': [['09:60', '17:00']] } }, /opening interval/],
      [{ hours: { '1': [] } }, /open at least once/],
      [
        {
          hours: {
            '1': [
              ['21:00', '22:00'],
              ['21:30', '23:00'],
            ],
          },
        },
        /hours\.1: \["21:00","22:00"\] and \["21:30","23:00"\] overlap/,
      ],
      [
        {
          hours: {
            '2': [
              ['13:00', '17:00'],
              ['09:00', '18:00'],
            ],
          },
        },
        /hours\.2: \["09:00","18:00"\] and \["13:00","17:00"\] overlap/,
      ],
      [{ holidays: ['2026-13-45'] }, /2026-13-45/],
      [{ holidays: ['2026-02-30'] }, /2026-02-30/],
    ];
    for (const [over, message] of cases) {
      const res = await calendar(over);
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('a stored calendar with no opening hours counts deadlines 24/7 and loses no message', async () => {
    const calendarId = newId();
    await db()
      .insertInto('sla_calendars')
      .values({
        id: calendarId,
        workspace_id: ws(),
        name: 'broken',
        // The warning comes once per calendar and app logger; each engine's run has its own zone too.
        time_zone: engine === 'sqlite' ? 'UTC' : 'Etc/UTC',
        hours_json: JSON.stringify({ mon: [['09:00', '17:00']], '1': [['17:00', '09:00']] }),
        holidays_json: '[]',
        created_at: Date.now(),
      })
      .execute();
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const p = await post('/api/v1/sla/policies', {
        name: `broken ${priority}`,
        priority,
        calendarId,
        firstResponseMinutes: 60,
      });
      expect(p.statusCode).toBe(201);
    }
    const sentAt = Date.UTC(2026, 10, 2, 9, 0);
    const msgs = [1, 2].map(() =>
      aMessage({ channel: 'email', sentAt: new Date(sentAt).toISOString() }),
    );
    await appendInbound(db(), ws(), msgs, Date.now());
    await t.app.pipeline.drain();
    const parked = await db()
      .selectFrom('inbound_events')
      .select('seq')
      .where('status', '=', 'parked')
      .execute();
    expect(parked).toHaveLength(0);
    const m = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', msgs[0].externalId)
      .executeTakeFirstOrThrow();
    const sla = await asAdmin(t, 'GET', `/api/v1/cases/${m.case_id}/sla`);
    expect(sla.json().clocks.first_response.dueAt).toBe(new Date(sentAt + 3_600_000).toISOString());
    const warnings = logs.lines().filter((l) => String(l.msg).includes('no opening hours'));
    expect(warnings).toHaveLength(1);
  });

  it('a stored calendar with overlapping, unordered hours counts each open minute once', async () => {
    // The API refuses such a calendar now; rows stored before that keep their deadlines right.
    const calendarId = newId();
    const hours = [
      ['22:00', '23:00'],
      ['21:00', '22:00'],
      ['21:30', '22:30'],
    ];
    await db()
      .insertInto('sla_calendars')
      .values({
        id: calendarId,
        workspace_id: ws(),
        name: 'evenings',
        time_zone: 'UTC',
        hours_json: JSON.stringify(
          Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, hours])),
        ),
        holidays_json: '[]',
        created_at: Date.now(),
      })
      .execute();
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const p = await post('/api/v1/sla/policies', {
        name: `evenings ${priority}`,
        priority,
        channel: 'api',
        calendarId,
        firstResponseMinutes: 90,
      });
      expect(p.statusCode).toBe(201);
    }
    const msg = aMessage({ sentAt: '2026-05-12T20:25:00.000Z', visibility: 'private' });
    await appendInbound(db(), ws(), [msg], Date.now());
    await t.app.pipeline.drain();
    const m = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', msg.externalId)
      .executeTakeFirstOrThrow();
    const sla = await asAdmin(t, 'GET', `/api/v1/cases/${m.case_id}/sla`);
    // Open 21:00–23:00: 35 minutes of the wait are closed, 90 business minutes end at 22:30.
    expect(sla.json().clocks.first_response.dueAt).toBe('2026-05-12T22:30:00.000Z');
  });

  it('refuses policies with unbounded targets, unknown calendars or channels, and duplicates', async () => {
    const policy = (over: Record<string, unknown>) =>
      post('/api/v1/sla/policies', { name: 'p', priority: 'high', channel: 'sms', ...over });
    for (const over of [
      { firstResponseMinutes: 9007199254740991 },
      { resolutionMinutes: 525_601 },
      { calendarId: 'nope' },
      { channel: 'pigeon' },
    ]) {
      expect((await policy(over)).statusCode, JSON.stringify(over)).toBe(400);
    }
    const first = await policy({ name: 'sms high', firstResponseMinutes: 525_600 });
    expect(first.statusCode).toBe(201);
    const again = await policy({ name: 'sms high again', firstResponseMinutes: 30 });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain(first.json().id);
    // Another channel, or the every-channel policy, is a different policy.
    expect((await policy({ channel: 'voice' })).statusCode).toBe(201);
  });
});
