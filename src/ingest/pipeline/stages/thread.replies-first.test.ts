import { beforeAll, describe, expect, it } from 'vitest';
import { caseIdOf } from '../../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../../test/fakes/channels.js';
import { ENGINES } from '../../../../test/support/engines.js';
import { suiteApp } from '../../../../test/support/suite.js';
import { aTweet, OUR } from '../../../channels/x/test-world.js';

let seq = 0;

/**
 * X delivers webhooks in no promised order: a customer's reply may come before the post it
 * answers, in one batch or in two. Either order gives one case.
 */
describe.each(ENGINES)('a reply that arrives before its parent on %s', (engine) => {
  const t = suiteApp(engine);
  let channelId: string;

  beforeAll(async () => {
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR },
      secrets: { consumerSecret: X_SECRET },
    });
  });

  /** A post by `author` (a reply when `inReplyTo` is set), sent `agoMs` ago. */
  async function post(id: string, author: string, text: string, agoMs: number, inReplyTo?: string) {
    const body = {
      for_user_id: OUR,
      tweet_create_events: [
        aTweet(id, author, `user${author}`, text, Date.now() - agoMs, {
          ...(inReplyTo ? { in_reply_to_status_id_str: inReplyTo } : {}),
        }),
      ],
    };
    expect((await deliverX(t, channelId, JSON.stringify(body))).statusCode).toBe(200);
  }
  const caseOf = (id: string) => caseIdOf(t.app.database.db, id);
  /** A parent and a reply id of their own, and an author of their own. */
  const ids = () => {
    seq++;
    const base = 1700000000000000000n + BigInt(seq) * 10n;
    return { parent: String(base), child: String(base + 1n), author: String(99000 + seq) };
  };

  it('one batch, reply first: the parent joins the reply’s case', async () => {
    const { parent, child, author } = ids();
    await post(child, author, '@brand and also the tv', 20_000, parent);
    await post(parent, author, '@brand my wifi is down', 40_000);
    await t.app.pipeline.drain();
    expect(await caseOf(parent)).toBe(await caseOf(child));
  });

  it('two batches, reply first: the parent joins the stored reply’s case', async () => {
    const { parent, child, author } = ids();
    await post(child, author, '@brand and also the tv', 20_000, parent);
    await t.app.pipeline.drain();
    await post(parent, author, '@brand my wifi is down', 40_000);
    await t.app.pipeline.drain();
    expect(await caseOf(parent)).toBe(await caseOf(child));
  });

  it('parent first, in one batch or two: one case, as before', async () => {
    for (const drainBetween of [false, true]) {
      const { parent, child, author } = ids();
      await post(parent, author, '@brand my wifi is down', 40_000);
      if (drainBetween) await t.app.pipeline.drain();
      await post(child, author, '@brand and also the tv', 20_000, parent);
      await t.app.pipeline.drain();
      expect(await caseOf(parent), `drained between: ${drainBetween}`).toBe(await caseOf(child));
    }
  });

  it("another customer's earlier reply that opened a case: the post takes it over", async () => {
    const { parent, child, author } = ids();
    const other = String(Number(author) + 500);
    await post(child, other, '@brand same here', 20_000, parent);
    await t.app.pipeline.drain();
    await post(parent, author, '@brand my wifi is down', 40_000);
    await t.app.pipeline.drain();
    // In this order the reply would have joined the post's case: so it does now, the case
    // being the post's author's (thread.others-first.test.ts compares both orders in full).
    const caseId = await caseOf(parent);
    expect(caseId).toBe(await caseOf(child));
    const owner = await t.app.database.db
      .selectFrom('cases')
      .innerJoin('messages', 'messages.customer_id', 'cases.customer_id')
      .select('messages.external_id')
      .where('cases.id', '=', caseId)
      .execute();
    expect(owner.map((r) => r.external_id)).toEqual([parent]);
  });
});
