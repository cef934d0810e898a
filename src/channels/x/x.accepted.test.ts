import { describe, expect, it } from 'vitest';
import { messageRow, retryNow, sendRowOf } from '../../../test/builders.js';
import type { FakeReply } from '../../../test/fakes/fake-server.js';
import { ENGINES } from '../../../test/support/engines.js';
import { aTweet, OUR, xDeskWorld } from './test-world.js';

let seq = 0;

/**
 * X answered 2xx (it took the post or the DM) but its body named no id: the send counts as done,
 * without X's id. It used to fail as `unknown`, which the outbox retried: a second, identical
 * public reply under the customer's post.
 */
describe.each(ENGINES)('a send X took without saying its id, on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db, reply } = x;

  async function customerWrites(kind: 'tweet' | 'dm') {
    seq++;
    const id = String(1700000000000000000n + BigInt(seq));
    const author = String(9100 + seq);
    const at = Date.now() - 60_000;
    const body =
      kind === 'tweet'
        ? {
            for_user_id: OUR,
            tweet_create_events: [aTweet(id, author, `took${seq}`, `@resistbot down #${seq}`, at)],
          }
        : {
            for_user_id: OUR,
            direct_message_events: [
              {
                type: 'message_create',
                id,
                created_timestamp: String(at),
                message_create: {
                  sender_id: author,
                  target: { recipient_id: OUR },
                  message_data: { text: 'hi, no service' },
                },
              },
            ],
          };
    return x.ingest(body, id);
  }

  /** Sends a reply X answers with `answer`; it must be sent once, kept under our own id. */
  async function sentOnce(
    family: 'tweets' | 'dm',
    caseId: string,
    visibility: 'public' | 'private',
    answer: FakeReply,
  ) {
    x.fake.script(family, answer);
    const before = x.fake.requestsOf(family).length;
    const sent = await reply(caseId, `We are on it (${family} ${seq}).`, visibility);
    await t.app.outbox.runOnce();
    const ob = await sendRowOf(db(), sent.id);
    expect(ob.status, ob.last_error ?? '').toBe('delivered');
    const row = await messageRow(db(), sent.id);
    expect(row.status).toBe('sent');
    expect(row.external_id).toBe(`tl-${sent.id}`);
    // Nothing left to try again: a later run calls X no more.
    await retryNow(db(), ob.id);
    await t.app.outbox.runOnce();
    expect(x.fake.requestsOf(family).length).toBe(before + 1);
  }

  it('a public reply answered 201 without data.id is sent once', async () => {
    await sentOnce('tweets', await customerWrites('tweet'), 'public', {
      status: 201,
      body: { data: { text: 'We are on it.' } },
    });
  });

  it('a public reply answered 200 with a body that is not JSON is sent once', async () => {
    await sentOnce('tweets', await customerWrites('tweet'), 'public', {
      status: 200,
      body: 'OK',
    });
  });

  it('a DM answered 201 without dm_event_id is sent once', async () => {
    await sentOnce('dm', await customerWrites('dm'), 'private', {
      status: 201,
      body: { data: { dm_conversation_id: `9-${OUR}` } },
    });
  });

  it('the channel stays healthy: X took the send', async () => {
    const h = await db()
      .selectFrom('channel_state')
      .select('health')
      .where('channel_id', '=', x.channelId)
      .executeTakeFirstOrThrow();
    expect(h.health).toBe('ok');
  });
});
