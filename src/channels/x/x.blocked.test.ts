import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRowOf, type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../test/fakes/channels.js';
import { FakeX } from '../../../test/fakes/x-provider.js';
import { ENGINES } from '../../../test/support/engines.js';

const OUR = '835740314006511618';
let seq = 0;

/**
 * After a 429 whose reset is 20 minutes ahead, sends wait for the reset instead of calling X
 * again: before, every new message called /2/tweets and earned another 429.
 */
describe.each(ENGINES)('X sends while rate-limited on %s', (engine) => {
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
    const id = String(1600000000000000000n + BigInt(seq));
    const body = {
      for_user_id: OUR,
      tweet_create_events: [
        {
          id_str: id,
          text: `@resistbot no signal #${seq}`,
          user: { id_str: String(8000 + seq), screen_name: `blocked${seq}` },
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

  it('a send while blocked is deferred to the reset without calling X', async () => {
    const [a, b] = [await mention(), await mention()];
    const reset = Math.floor(Date.now() / 1000) + 20 * 60;
    fake.script('tweets', {
      status: 429,
      headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', status: 429 },
    });
    const first = await reply(a, 'Looking into it.');
    await t.app.outbox.runOnce();
    const calls = fake.requestsOf('tweets').length;
    expect((await sendRowOf(db(), first.id)).last_error).toMatch(/^rate_limited/);
    const second = await reply(b, 'Looking into it too.');
    await t.app.outbox.runOnce();
    expect(fake.requestsOf('tweets').length).toBe(calls);
    const row = await sendRowOf(db(), second.id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^rate_limited: .*not called/);
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(reset * 1000 - 2000);
  });
});
