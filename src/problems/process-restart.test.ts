import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabaseUrl } from '../../test/support/engines.js';
import { feed, startNode } from '../../test/support/nodes.js';
import type { App } from '../app.js';
import { newId } from '../platform/ids.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2025, 2, 3, 6);

/**
 * A desk whose unassigned cases have breached their first-response clock about eight times an
 * hour for two days restarts. The breaches are in storage (`sla_events`, as the SLA scheduler
 * writes them); the detector rebuilt after the restart must know that rate, so the same rate
 * afterwards raises nothing, and only a real spike does.
 */
describe.each(ENGINES)('process problems across a restart on %s', (engine) => {
  let app: App;
  let cleanup: () => void;
  let now = T0;
  let n = 0;

  beforeAll(async () => {
    const db = await freshDatabaseUrl(engine);
    cleanup = db.cleanup;
    app = await startNode(db.url, () => now);
  });
  afterAll(async () => {
    await app?.close();
    cleanup?.();
  });

  /** Stored as the SLA scheduler stores it, a few seconds after it was due. */
  const store = async (at: number) => {
    const caseId = `case-${n++}`;
    await app.database.db
      .insertInto('sla_events')
      .values({
        id: newId(),
        workspace_id: app.workspace.workspaceId,
        case_id: caseId,
        clock: 'first_response',
        kind: 'breached',
        due_at: at,
        channel: 'api',
        created_at: at + 5_000,
      })
      .execute();
    return caseId;
  };
  /** Stored, then told on the bus, as the scheduler does live. */
  const breach = async (at: number) => {
    const caseId = await store(at);
    app.bus.publish({
      type: 'sla.breached',
      workspaceId: app.workspace.workspaceId,
      data: { caseId, clock: 'first_response', dueAt: new Date(at).toISOString(), late: false },
    });
  };
  const message = (at: number) => ({
    channel: 'api' as const,
    externalId: `m-${at}`,
    author: { id: `customer-${at}` },
    text: 'What are your opening hours on Sunday?',
    sentAt: new Date(at).toISOString(),
  });

  it('keeps the teams’ usual rate of breaches, so only a spike raises a problem', async () => {
    // Two days of traffic (one question every half hour) and of breaches, before the restart.
    const restart = T0 + 48 * HOUR;
    for (let t = T0; t < restart; t += 7 * MIN) await store(t);
    const traffic = [];
    for (let t = T0; t <= restart; t += 30 * MIN) traffic.push(message(t));
    now = restart;
    await feed(app, traffic, () => now);
    // The restart: the next signal rebuilds the detector from storage.
    app.problems.runtime.reset();
    // Four more hours at the same rate, then thirty breaches in half an hour.
    for (let t = restart + 7 * MIN; t < restart + 4 * HOUR; t += 7 * MIN) await breach(t);
    const spike = restart + 5 * HOUR;
    for (let k = 0; k < 30; k++) await breach(spike + k * MIN);
    now = spike + 30 * MIN;
    let rows: { title: string; detected_at: number }[] = [];
    for (let tries = 0; tries < 200 && rows.length === 0; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await app.database.db
        .selectFrom('problems')
        .select(['title', 'detected_at'])
        .execute();
    }
    expect(rows.map((r) => r.title)).toEqual(['Spike of SLA breaches — team unassigned']);
    // Raised by the spike, not by the ordinary breaches after the restart.
    expect(Number(rows[0].detected_at)).toBeGreaterThanOrEqual(spike);
  }, 60_000);
});
