import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabaseUrl } from '../../test/support/engines.js';
import { type App, buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { type SimIncident, simulate } from '../simulate/index.js';

const H = 3_600_000;

/*
 * A replay of history, as `throughline replay` runs it (the wall clock is today, the messages
 * are from March 2025), with the owner team marking the outage fixed through the API an hour
 * into it, and the process then restarted before the rest of the day is replayed. The fix did
 * not hold (customers kept coming for two more hours), and the detector rebuilt from storage
 * must see that: the fix is stamped in the replay's time, not today's, and the customers who
 * joined before the fix are read back from the links.
 */
describe.each(ENGINES)('a fix that did not hold, judged by a rebuilt detector, on %s', (engine) => {
  let url = '';
  let cleanup: () => void = () => {};
  const messages: InboundMessage[] = [];
  let incident: SimIncident;
  let app: App | null = null;

  const start = async () => {
    const base = loadConfig({
      THROUGHLINE_DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      THROUGHLINE_DEMO: 'false',
    });
    const a = await buildApp({
      config: {
        ...base,
        sqliteSynchronous: 'NORMAL',
        pipeline: { ...base.pipeline, workers: false },
      },
    });
    await a.start({ listen: false });
    return a;
  };
  const replay = (a: App, part: InboundMessage[]) =>
    ingestStream(part, {
      database: a.database,
      workspaceId: a.workspace.workspaceId,
      pipeline: a.pipeline,
    });

  beforeAll(async () => {
    ({ url, cleanup } = await freshDatabaseUrl(engine));
    for (const e of simulate({ scenario: 'outage', seed: 9 })) {
      if (e.type === 'message') messages.push(e.message);
      else incident = e.incident;
    }
    messages.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    cleanup();
  });

  it('goes back to fixing after the restart', async () => {
    const fixAt = Date.parse(incident.start) + H;
    expect(Date.parse(incident.end) - fixAt).toBeGreaterThanOrEqual(2 * H);
    app = await start();
    await replay(
      app,
      messages.filter((m) => Date.parse(m.sentAt) < fixAt),
    );
    const { token } = await createApiToken(
      app.database.db,
      app.workspace.workspaceId,
      'owner team',
      'admin',
    );
    const auth = { authorization: `Bearer ${token}` };
    const list = (
      await app.http.inject({ method: 'GET', url: '/api/v1/problems?topic=outage', headers: auth })
    ).json().items as { id: string; area: { city: string | null }; customerCount: number }[];
    const p = list.find((x) => x.area.city === incident.area.city);
    expect(p, JSON.stringify(list)).toBeTruthy();
    expect(p!.customerCount).toBeGreaterThanOrEqual(20);
    const fixed = await app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${p!.id}/status`,
      headers: auth,
      payload: { status: 'fixed', silent: true },
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const row = await app.database.db
      .selectFrom('problems')
      .select(['fixed_at', 'fixed_event_at'])
      .where('id', '=', p!.id)
      .executeTakeFirstOrThrow();
    // Marked fixed today, at the replay's latest message for the detector.
    expect(Math.abs(Number(row.fixed_at) - Date.now())).toBeLessThan(H);
    expect(Number(row.fixed_event_at)).toBeLessThan(fixAt);
    expect(Number(row.fixed_event_at)).toBeGreaterThan(fixAt - 10 * 60_000);
    await app.close();

    app = await start();
    // The restarted desk's SLA clocks of the replayed cases are long overdue: their breaches
    // reach the detector first, dated that morning, and must not build it up to then only.
    // (The node runs the problem worker, so on PostgreSQL a breach makes it the detector.)
    app.problems.start();
    expect(app.problems.runtime.detectorNow).toBeNull();
    await app.care.scheduler.tick(Date.now());
    // They are taken from the live bus asynchronously: the replay waits until they have built
    // the detector (else its first batch would, and this test would check less).
    for (let i = 0; i < 200 && app.problems.runtime.detectorNow === null; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(app.problems.runtime.detectorNow).not.toBeNull();
    await replay(
      app,
      messages.filter((m) => Date.parse(m.sentAt) >= fixAt),
    );
    const after = (
      await app.http.inject({ method: 'GET', url: `/api/v1/problems/${p!.id}`, headers: auth })
    ).json() as { status: string; history: { type: string; data: Record<string, unknown> }[] };
    expect(after.status).toBe('fixing');
    expect(after.history).toContainEqual(
      expect.objectContaining({
        type: 'status_changed',
        data: expect.objectContaining({ from: 'fixed', to: 'fixing' }),
      }),
    );
    // One problem for the outage: the restarted detector did not raise a second one.
    const again = (
      await app.http.inject({ method: 'GET', url: '/api/v1/problems?topic=outage', headers: auth })
    ).json().items as { id: string; area: { city: string | null } }[];
    expect(again.filter((x) => x.area.city === incident.area.city).map((x) => x.id)).toEqual([
      p!.id,
    ]);
  }, 240_000);
});
