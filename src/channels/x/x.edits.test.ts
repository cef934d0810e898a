import { describe, expect, it } from 'vitest';
import { caseIdOf } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { aTweet, OUR, xDeskWorld } from './test-world.js';

let seq = 0;

/*
 * An edited post on X is a new post id whose `edit_history` names the earlier ones (v1.1
 * Account Activity: `initial_tweet_id`, `edit_tweet_ids`; v2: `edit_history_tweet_ids`). It
 * changes the stored message, stays in its case, and replies answer the latest version. And our
 * own tweet's echo can overtake the send that posted it.
 */
describe.each(ENGINES)('X edits and echoes through a fake X API on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db } = x;

  const tweet = (id: string, author: string, text: string, at: number, extra = {}) =>
    JSON.stringify({
      for_user_id: OUR,
      tweet_create_events: [aTweet(id, author, `u${author}`, text, at, extra)],
    });
  const caseOf = (externalId: string) => caseIdOf(db(), externalId);
  const reply = async (caseId: string, text: string) => (await x.reply(caseId, text)).id;

  it('an edited post updates the message in its case, and the reply answers the edit', async () => {
    seq++;
    const a = String(1800000000000000200n + BigInt(seq * 10));
    const b = String(BigInt(a) + 1n);
    const author = String(5000 + seq);
    const at = Date.now() - 120_000;
    await x.deliver(tweet(a, author, '@resistbot my bill is wrong', at));
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
    expect((await x.deliver(edited)).statusCode).toBe(200);
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
    expect(x.fake.posted.at(-1)).toMatchObject({ inReplyTo: b });
  });

  it('our tweet echoed while the post call is in flight ends as one row, posted once', async () => {
    seq++;
    const a = String(1800000000000000200n + BigInt(seq * 10));
    const author = String(5000 + seq);
    await x.deliver(tweet(a, author, '@resistbot no signal', Date.now() - 60_000));
    await t.app.pipeline.drain();
    const caseId = await caseOf(a);
    const id = await reply(caseId, 'A mast is down; back by 6pm.');
    const ours = String(1900000000000000000n + BigInt(900 + seq));
    let release!: () => void;
    x.fake.hold = new Promise<void>((r) => {
      release = r;
    });
    x.fake.script('tweets', { status: 201, body: { data: { id: ours, text: 'x' } } });
    const calls = x.fake.requestsOf('tweets').length;
    const run = t.app.outbox.runOnce();
    while (x.fake.requestsOf('tweets').length === calls) await new Promise((r) => setTimeout(r, 5));
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
    expect((await x.deliver(echo)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const early = await db()
      .selectFrom('messages')
      .select('id')
      .where('external_id', '=', ours)
      .executeTakeFirstOrThrow();
    expect(early.id).not.toBe(id);
    release();
    x.fake.hold = null;
    await run;
    const rows = await db()
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('external_id', '=', ours)
      .execute();
    expect(rows).toEqual([{ id, status: 'sent' }]);
    await t.app.outbox.runOnce();
    expect(x.fake.requestsOf('tweets').length).toBe(calls + 1);
  });
});
