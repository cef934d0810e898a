import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../test/fakes/channels.js';
import { FakeX } from '../../../test/fakes/x-provider.js';
import { ENGINES } from '../../../test/support/engines.js';

const OUR = '835740314006511618';
let seq = 0;

/*
 * An edited post on X is a new post id whose `edit_history` names the earlier ones (v1.1
 * Account Activity: `initial_tweet_id`, `edit_tweet_ids`; v2: `edit_history_tweet_ids`). It
 * changes the stored message, stays in its case, and replies answer the latest version. And our
 * own tweet's echo can overtake the send that posted it.
 */
describe.each(ENGINES)('X edits and echoes through a fake X API on %s', (engine) => {
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

  const tweet = (id: string, author: string, text: string, at: number, extra = {}) =>
    JSON.stringify({
      for_user_id: OUR,
      tweet_create_events: [
        {
          id_str: id,
          text,
          user: { id_str: author, screen_name: `u${author}` },
          timestamp_ms: String(at),
          ...extra,
        },
      ],
    });
  const caseOf = async (externalId: string) =>
    (
      await db()
        .selectFrom('messages')
        .select(['id', 'case_id', 'text', 'external_id'])
        .where('external_id', '=', externalId)
        .executeTakeFirstOrThrow()
    ).case_id!;
  const reply = async (caseId: string, text: string) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/replies`,
      headers: t.auth,
      payload: { text },
    });
    expect(res.statusCode).toBeLessThan(300);
    return res.json().id as string;
  };

  it('an edited post updates the message in its case, and the reply answers the edit', async () => {
    seq++;
    const a = String(1800000000000000200n + BigInt(seq * 10));
    const b = String(BigInt(a) + 1n);
    const author = String(5000 + seq);
    const at = Date.now() - 120_000;
    await deliverX(t, channelId, tweet(a, author, '@resistbot my bill is wrong', at));
    await t.app.pipeline.drain();
    const caseId = await caseOf(a);
    const edited = tweet(
      b,
      author,
      '@resistbot my bill is wrong, charged twice (edited)',
      at + 60_000,
      {
        edit_history: { initial_tweet_id: a, edit_tweet_ids: [a, b] },
      },
    );
    expect((await deliverX(t, channelId, edited)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .select(['case_id', 'text', 'raw_json'])
      .where('author_address', '=', author)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      case_id: caseId,
      text: '@resistbot my bill is wrong, charged twice (edited)',
    });
    expect(JSON.parse(rows[0].raw_json!)).toMatchObject({
      edits: [{ text: '@resistbot my bill is wrong', externalId: a }],
      latestExternalId: b,
    });
    await reply(caseId, 'Sorry! Refunding the second charge now.');
    await t.app.outbox.runOnce();
    expect(fake.posted.at(-1)).toMatchObject({ inReplyTo: b });
  });

  it('our tweet echoed while the post call is in flight ends as one row, posted once', async () => {
    seq++;
    const a = String(1800000000000000200n + BigInt(seq * 10));
    const author = String(5000 + seq);
    await deliverX(t, channelId, tweet(a, author, '@resistbot no signal', Date.now() - 60_000));
    await t.app.pipeline.drain();
    const caseId = await caseOf(a);
    const id = await reply(caseId, 'A mast is down; back by 6pm.');
    const ours = String(1900000000000000000n + BigInt(900 + seq));
    let release!: () => void;
    fake.hold = new Promise<void>((r) => {
      release = r;
    });
    fake.script('tweets', { status: 201, body: { data: { id: ours, text: 'x' } } });
    const calls = fake.requestsOf('tweets').length;
    const run = t.app.outbox.runOnce();
    while (fake.requestsOf('tweets').length === calls) await new Promise((r) => setTimeout(r, 5));
    const echo = JSON.stringify({
      for_user_id: OUR,
      tweet_create_events: [
        {
          id_str: ours,
          text: `@u${author} A mast is down; back by 6pm.`,
          in_reply_to_status_id_str: a,
          in_reply_to_user_id_str: author,
          user: { id_str: OUR, screen_name: 'resistbot' },
          timestamp_ms: String(Date.now()),
        },
      ],
    });
    expect((await deliverX(t, channelId, echo)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const early = await db()
      .selectFrom('messages')
      .select('id')
      .where('external_id', '=', ours)
      .executeTakeFirstOrThrow();
    expect(early.id).not.toBe(id);
    release();
    fake.hold = null;
    await run;
    const rows = await db()
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('external_id', '=', ours)
      .execute();
    expect(rows).toEqual([{ id, status: 'sent' }]);
    await t.app.outbox.runOnce();
    expect(fake.requestsOf('tweets').length).toBe(calls + 1);
  });
});
