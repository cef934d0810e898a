import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { feed, problemSummary, startNode } from '../../test/support/nodes.js';
import type { App } from '../app.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { simulate } from '../simulate/index.js';

const HOUR = 3_600_000;
/** The desk's wall clock (fixed): a Thursday morning. */
const NOW = Date.UTC(2026, 11, 3, 9, 30);

/** A scenario's messages from `start` for `days`, in event-time order, none after `until`. */
function messages(scenario: string, seed: number, start: number, days: number, until = NOW) {
  const out: InboundMessage[] = [];
  for (const e of simulate({ scenario, seed, start: new Date(start).toISOString(), days }))
    if (e.type === 'message' && Date.parse(e.message.sentAt) <= until) out.push(e.message);
  return out.sort((x, y) => Date.parse(x.sentAt) - Date.parse(y.sentAt));
}

const liveHello: InboundMessage = {
  channel: 'sms',
  externalId: 'live-1',
  author: { id: '+15550001111' },
  text: 'hello',
  sentAt: new Date(NOW).toISOString(),
  visibility: 'private',
};

/**
 * Recent history (yesterday up to this morning) replayed into a desk whose detector stands at
 * now, having seen one live message, is detected as it is in a desk that saw no such message:
 * the same problems, one per root cause. Was: messages hours behind now went to the live
 * detector, which counts them only in the windows that still cover them (12 hours: not the
 * 1- and 4-hour ones), so an outage raised nothing, or a new problem whenever its short windows
 * looked quiet (`history-lane.ts`).
 */
describe('history a few hours behind the live detector', () => {
  const apps: App[] = [];
  const cleanups: (() => void)[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => {});
    for (const c of cleanups) c();
  });

  /** A fresh desk fed `before`, then `live`, then the replay; its problems after `before`. */
  async function desk(before: InboundMessage[], live: InboundMessage[], replay: InboundMessage[]) {
    const db = await freshDatabaseUrl('sqlite');
    cleanups.push(db.cleanup);
    const app = await startNode(db.url, () => NOW);
    apps.push(app);
    if (before.length > 0) await feed(app, before, () => NOW);
    const earlier = new Set(await problemSummary(app.database.db));
    if (live.length > 0) await feed(app, live, () => NOW);
    await feed(app, replay, () => NOW);
    return (await problemSummary(app.database.db)).filter((p) => !earlier.has(p));
  }

  it('a Chicago outage of yesterday evening (12 hours and more behind now), into an otherwise empty desk', async () => {
    const replay = messages('outage', 15, NOW - 25 * HOUR, 1);
    const alone = await desk([], [], replay);
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatch(/^outage — Chicago: \d{3} customers/);
    // Was: nothing at all.
    expect(await desk([], [liveHello], replay)).toEqual(alone);
  });

  it('a Las Vegas outage of last night (some 8 hours behind now), in a desk that knows the day before', async () => {
    // The day before yesterday's traffic: the live detector is warm.
    const before = messages('week', 5, NOW - 48 * HOUR, 1, NOW - 24 * HOUR - 1);
    const replay = messages('outage', 11, NOW - 23 * HOUR, 1);
    const inOrder = await desk(before, [], replay);
    expect(inOrder).toHaveLength(1);
    expect(inOrder[0]).toMatch(/^outage — Las Vegas: \d{3} customers/);
    // Was: some twenty Las Vegas problems of 7 to 22 customers each, one after another.
    expect(await desk(before, [liveHello], replay)).toEqual(inOrder);
  });
});
