import { describe, expect, it } from 'vitest';
import { sendRowOf } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { aTweet, OUR, xDeskWorld } from './test-world.js';

let seq = 0;

/**
 * X says a window is spent on the answer that spends it (x-rate-limit-remaining: 0, with its
 * x-rate-limit-reset), before any 429: sends wait for the reset, as the poller does, instead of
 * calling /2/tweets into a 429 each.
 */
describe.each(ENGINES)('X sends after the window is spent on %s', (engine) => {
  const w = xDeskWorld(engine);
  const { t, db, reply } = w;

  /** A customer's public mention, ingested; returns its case id. */
  async function mention() {
    seq++;
    const id = String(1610000000000000000n + BigInt(seq));
    const body = {
      for_user_id: OUR,
      tweet_create_events: [
        aTweet(
          id,
          String(8100 + seq),
          `spent${seq}`,
          `@resistbot no signal #${seq}`,
          Date.now() - 60_000,
        ),
      ],
    };
    return w.ingest(body, id);
  }

  it('a send after an answer with x-rate-limit-remaining: 0 waits for the reset', async () => {
    const [a, b] = [await mention(), await mention()];
    const reset = Math.floor(Date.now() / 1000) + 15 * 60;
    // X took this post but said it was the window's last: the next one would earn a 429.
    w.fake.script('tweets', {
      status: 201,
      headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { data: { id: '1950000000000000001', text: 'Looking into it.' } },
    });
    const first = await reply(a, 'Looking into it.');
    await t.app.outbox.runOnce();
    expect((await sendRowOf(db(), first.id)).status).toBe('delivered');
    const calls = w.fake.requestsOf('tweets').length;
    const second = await reply(b, 'Looking into it too.');
    await t.app.outbox.runOnce();
    expect(w.fake.requestsOf('tweets').length).toBe(calls);
    const row = await sendRowOf(db(), second.id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^rate_limited: .*not called/);
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(reset * 1000 - 2000);
  });
});
