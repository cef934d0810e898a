import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import {
  feed as feedNode,
  problemSummary,
  scenarioMessages,
  startNode,
} from '../../test/support/nodes.js';
import type { App } from '../app.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/**
 * Two nodes on one PostgreSQL database, and the detecting node stops before it looked at what
 * the other node's pipeline stored meanwhile: whoever detects next must still decide on those
 * messages (they were handed over through storage), giving the problems one node would have.
 * Was: the next leader warmed up from storage silently, counting them as already decided.
 */
describe('what a node stored while another detected, when the detecting node stops', () => {
  const apps: App[] = [];
  let now = 0;
  const messages: InboundMessage[] = [];

  const node = async (url: string) => {
    const app = await startNode(url, () => now);
    apps.push(app);
    return app;
  };
  const feed = (app: App, ms: InboundMessage[]) => feedNode(app, ms, () => now);
  const problems = (app: App) => problemSummary(app.database.db);

  beforeAll(async () => {
    messages.push(...scenarioMessages('demo', 3));
    now = Date.parse(messages[messages.length - 1].sentAt);
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close().catch(() => {});
  });

  it('the next detecting node decides on them', async () => {
    // One node alone: what the problems should be.
    const alone = await node((await freshDatabaseUrl('postgres')).url);
    await feed(alone, messages);
    const expected = await problems(alone);
    expect(expected.join('; ')).toMatch(/94110|San Francisco/);

    const url = (await freshDatabaseUrl('postgres')).url;
    const a = await node(url);
    const b = await node(url);
    await feed(a, messages.slice(0, 1)); // a takes the lead with its first batch
    await feed(b, messages.slice(1)); // b's pipeline stores everything else
    expect(a.problems.leadership.isLeader).toBe(true);
    expect(b.problems.leadership.isLeader).toBe(false);
    await a.close(); // ... and a stops before its next look
    // A node starting now detects next: at its first look (the catch-up timer's) it decides on
    // what b stored.
    const c = await node(url);
    await c.problems.runtime.catchUp(c.database.db, now);
    expect(c.problems.leadership.isLeader).toBe(true);
    expect(await problems(c)).toEqual(expected);
  }, 60_000);
});
