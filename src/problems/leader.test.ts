import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { feed as feedNode, scenarioMessages, startNode } from '../../test/support/nodes.js';
import type { App } from '../app.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/**
 * Two nodes on one PostgreSQL database: only the node holding the detector's advisory lock
 * detects, reading what the other node's pipeline stored; when it goes away the other takes
 * over from storage without raising the same problem twice.
 */
describe('one detecting node on a shared PostgreSQL database', () => {
  let a: App;
  let b: App;
  let now = 0;
  const messages: InboundMessage[] = [];

  const node = (url: string) => startNode(url, () => now);
  const feed = (app: App, ms: InboundMessage[]) => feedNode(app, ms, () => now);
  const problems = (app: App) =>
    app.database.db.selectFrom('problems').select(['id', 'title', 'customer_count']).execute();
  const extra = (i: number): InboundMessage => ({
    channel: 'sms',
    externalId: `leader-extra-${i}`,
    direction: 'in',
    author: { id: `+1415555990${i}` },
    text: 'thanks',
    sentAt: messages[messages.length - 1].sentAt,
    visibility: 'private',
  });

  beforeAll(async () => {
    const { url } = await freshDatabaseUrl('postgres');
    a = await node(url);
    b = await node(url);
    messages.push(...scenarioMessages('demo', 3));
    now = Date.parse(messages[messages.length - 1].sentAt);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('the follower stores, the leader detects what it stored', async () => {
    await feed(a, messages.slice(0, 1)); // a takes the lead with its first batch
    await feed(b, messages.slice(1)); // b's pipeline does everything else
    expect(await problems(a)).toHaveLength(0);
    await feed(a, [extra(1)]); // a's next batch reads what b stored first
    const list = await problems(a);
    expect(list.map((p) => p.title).join('; ')).toMatch(/94110|San Francisco/);
    expect(list).toHaveLength(1);
    expect(Number(list[0].customer_count)).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('fails over when the leader goes away, without raising the same problem again', async () => {
    await a.close();
    await new Promise((r) => setTimeout(r, 5_200));
    await feed(b, [extra(2)]);
    await feed(b, [extra(3)]);
    expect(await problems(b)).toHaveLength(1);
  }, 60_000);
});
