import { describe, expect, it } from 'vitest';
import { sendRowOf } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { aTweet, OUR, xDeskWorld } from './test-world.js';

let seq = 0;

/**
 * After a 429 whose reset is 20 minutes ahead, sends wait for the reset instead of calling X
 * again: before, every new message called /2/tweets and earned another 429.
 */
describe.each(ENGINES)('X sends while rate-limited on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db, reply } = x;

  /** A customer's public mention, ingested; returns its case id. */
  async function mention() {
    seq++;
    const id = String(1600000000000000000n + BigInt(seq));
    const text = `@resistbot no signal #${seq}`;
    const tweet = aTweet(id, String(8000 + seq), `blocked${seq}`, text, Date.now() - 60_000);
    return x.ingest({ for_user_id: OUR, tweet_create_events: [tweet] }, id);
  }

  it('a send while blocked is deferred to the reset without calling X', async () => {
    const [a, b] = [await mention(), await mention()];
    const reset = Math.floor(Date.now() / 1000) + 20 * 60;
    x.fake.script('tweets', {
      status: 429,
      headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', status: 429 },
    });
    const first = await reply(a, 'Looking into it.');
    await t.app.outbox.runOnce();
    const calls = x.fake.requestsOf('tweets').length;
    expect((await sendRowOf(db(), first.id)).last_error).toMatch(/^rate_limited/);
    const second = await reply(b, 'Looking into it too.');
    await t.app.outbox.runOnce();
    expect(x.fake.requestsOf('tweets').length).toBe(calls);
    const row = await sendRowOf(db(), second.id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^rate_limited: .*not called/);
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(reset * 1000 - 2000);
  });
});
