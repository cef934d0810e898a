import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { captureLogs } from '../../test/support/logs.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { newId } from '../platform/ids.js';

/**
 * The warning for a stored calendar without opening hours goes to the logger of the app that
 * met it, passed down to the SLA store, not to a process-wide hook the latest app set: two apps
 * in one process (tests, a CLI command beside a server) each hear of their own calendars.
 */
describe('an unusable calendar is reported to its own app', () => {
  const logsA = captureLogs();
  const logsB = captureLogs();
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await testApp('sqlite', {}, { logger: logsA.logger });
    b = await testApp('sqlite', {}, { logger: logsB.logger });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });
  const warnings = (logs: ReturnType<typeof captureLogs>) =>
    logs.lines().filter((l) => String(l.msg).includes('no opening hours'));

  /** A calendar stored by hand without hours, the policy of every priority, and a message. */
  const brokenTraffic = async (t: TestApp, zone: string) => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const calendarId = newId();
    await db
      .insertInto('sla_calendars')
      .values({
        id: calendarId,
        workspace_id: ws,
        name: 'broken',
        time_zone: zone,
        hours_json: JSON.stringify({ '1': [['17:00', '09:00']] }),
        holidays_json: '[]',
        created_at: Date.now(),
      })
      .execute();
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const p = await asAdmin(t, 'POST', '/api/v1/sla/policies', {
        name: priority,
        priority,
        calendarId,
        firstResponseMinutes: 60,
      });
      expect(p.statusCode).toBe(201);
    }
    await appendInbound(db, ws, [aMessage({ channel: 'email' })], Date.now());
    await t.app.pipeline.drain();
  };

  it('the app whose pipeline met it logs it, once; the other app logs nothing', async () => {
    await brokenTraffic(a, 'America/Chicago');
    expect(warnings(logsA)).toHaveLength(1);
    expect(warnings(logsA)[0]).toMatchObject({ timeZone: 'America/Chicago' });
    expect(warnings(logsB)).toHaveLength(0);
    // The same calendar in the other app is news to that app's log.
    await brokenTraffic(b, 'America/Chicago');
    expect(warnings(logsB)).toHaveLength(1);
    expect(warnings(logsA)).toHaveLength(1);
  });
});
