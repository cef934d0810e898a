import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRowOf, type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../test/fakes/channels.js';
import { FakeX } from '../../../test/fakes/x-provider.js';
import { ENGINES } from '../../../test/support/engines.js';

const OUR = '835740314006511618';
let seq = 0;

/**
 * X says a window is spent on the answer that spends it (x-rate-limit-remaining: 0, with its
 * x-rate-limit-reset), before any 429: sends wait for the reset, as the poller does, instead of
 * calling /2/tweets into a 429 each.
 */
describe.each(ENGINES)('X sends after the window is spent on %s', (engine) => {
  let t: TestApp;
  let fake: FakeX;
  let channelId: string;
  const db = () => t.app.database.db;

  beforeAll(async () => {
    fake = await new FakeX().start();
    t = await testApp(engine);
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR, apiBaseUrl: fake.url },
      secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** A customer's public mention, ingested; returns its case id. */
  async function mention() {
    seq++;
    const id = String(1610000000000000000n + BigInt(seq));
    const body = {
      for_user_id: OUR,
      tweet_create_events: [
        {
          id_str: id,
          text: `@resistbot no signal #${seq}`,
          user: { id_str: String(8100 + seq), screen_name: `spent${seq}` },
          timestamp_ms: String(Date.now() - 60_000),
        },
      ],
    };
    expect((await deliverX(t, channelId, JSON.stringify(body))).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const m = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', id)
      .executeTakeFirstOrThrow();
    return m.case_id!;
  }
  async function reply(caseId: string, text: string) {
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/replies`,
      headers: t.auth,
      payload: { text },
    });
    expect(res.statusCode).toBeLessThan(300);
    return res.json() as { id: string };
  }

  it('a send after an answer with x-rate-limit-remaining: 0 waits for the reset', async () => {
    const [a, b] = [await mention(), await mention()];
    const reset = Math.floor(Date.now() / 1000) + 15 * 60;
    // X took this post but said it was the window's last: the next one would earn a 429.
    fake.script('tweets', {
      status: 201,
      headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { data: { id: '1950000000000000001', text: 'Looking into it.' } },
    });
    const first = await reply(a, 'Looking into it.');
    await t.app.outbox.runOnce();
    expect((await sendRowOf(db(), first.id)).status).toBe('delivered');
    const calls = fake.requestsOf('tweets').length;
    const second = await reply(b, 'Looking into it too.');
    await t.app.outbox.runOnce();
    expect(fake.requestsOf('tweets').length).toBe(calls);
    const row = await sendRowOf(db(), second.id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^rate_limited: .*not called/);
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(reset * 1000 - 2000);
  });
});
