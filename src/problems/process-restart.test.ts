import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  // A desk of its own for each case, its clock at T0.
  beforeEach(async () => {
    now = T0;
    const db = await freshDatabaseUrl(engine);
    cleanup = db.cleanup;
    app = await startNode(db.url, () => now);
  });
  afterEach(async () => {
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
    for (let tries = 0; tries < 600 && rows.length === 0; tries++) {
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

  it('keeps the usual rate of repeat contacts (complaints reopening a resolved case)', async () => {
    // Six customers an hour come back three minutes after their case was resolved, for two
    // days (the detector's first hours teach it the rate).
    const start = T0;
    const complaints = [
      'Still no internet at home, the problem you closed is back',
      'My phone keeps dropping calls again, nothing was fixed',
      'The charge you said you removed is on my bill again',
      'The router you replaced has the same blinking red light',
      'My order still has not arrived, why was this closed',
      'The app still will not let me log in to my account',
    ];
    let who = 0;
    /** One hour of customers who write, are resolved, and write again. */
    const hourOf = async (from: number, perHour: number) => {
      const ids: { id: string; at: number }[] = [];
      for (let k = 0; k < perHour; k++)
        ids.push({ id: `back-${who++}`, at: from + (k * HOUR) / perHour });
      const say = (c: { id: string; at: number }, at: number, n: number) => ({
        channel: 'email' as const,
        externalId: `${c.id}-${n}`,
        author: { id: `${c.id}@example.com` },
        text: `${complaints[Number(c.id.slice(5)) % complaints.length]} (${c.id}, ${n}).`,
        sentAt: new Date(at).toISOString(),
      });
      now = from + HOUR;
      await feed(
        app,
        ids.map((c) => say(c, c.at, 1)),
        () => now,
      );
      await app.database.db
        .updateTable('cases')
        .set({ status: 'resolved', resolved_at: from })
        .where('status', '!=', 'resolved')
        .execute();
      await feed(
        app,
        ids.map((c) => say(c, c.at + 3 * MIN, 2)),
        () => now,
      );
    };
    const restart = start + 48 * HOUR;
    for (let t = start; t < restart; t += HOUR) await hourOf(t, 6);
    const reopened = await app.database.db
      .selectFrom('case_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('type', '=', 'reopened')
      .executeTakeFirstOrThrow();
    expect(Number(reopened.n)).toBe(48 * 6);
    app.problems.runtime.reset();
    for (let t = restart; t < restart + 4 * HOUR; t += HOUR) await hourOf(t, 6);
    // Then thirty in half an hour.
    const spike = restart + 5 * HOUR;
    await hourOf(spike, 60);
    let rows: { title: string; detected_at: number }[] = [];
    for (let tries = 0; tries < 100 && rows.length === 0; tries++) {
      rows = await app.database.db
        .selectFrom('problems')
        .select(['title', 'detected_at'])
        .where('kind', '=', 'process')
        .where('title', 'like', '%repeat%')
        .execute();
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].detected_at)).toBeGreaterThanOrEqual(spike);
  }, 120_000);
});
