import { describe, expect, it } from 'vitest';
import { deliverMeta } from '../../../test/fakes/channels.js';
import { MetaHarness, nextPsid, PAGE } from '../../../test/fakes/meta-harness.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

const FEED = 'facebook-page-feed-webhooks/oktasuke-tcclighting';

/*
 * On a Page thread other people's comments join the case of the comment they answer (the
 * conversation is what agents work), but a reply on the case answers its customer: never a
 * bystander who commented last, least of all in a private reply (a DM to a stranger).
 */
describe.runIf(hasSharedData(FEED)).each(ENGINES)('replies in a comment thread on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);
  const { msgBy, reply } = h;

  /** The captured Page comment, moved to our Page and told by someone else. */
  const comment = (c: { id: string; parent: string; from: string; name: string; text: string }) => {
    const raw = JSON.parse(readSharedText(FEED, 'post_comment_add.json'));
    const entry = raw.entry[0];
    entry.id = PAGE;
    entry.time = Math.floor(Date.now() / 1000);
    Object.assign(entry.changes[0].value, {
      comment_id: c.id,
      post_id: `${PAGE}_777`,
      parent_id: c.parent,
      sender_id: Number(c.from),
      sender_name: c.name,
      message: c.text,
      created_time: Math.floor(Date.now() / 1000) - 60,
    });
    return deliverMeta(h.t, h.ch, JSON.stringify(raw));
  };

  it("answers the case customer's comment, publicly and privately, not a bystander's later one", async () => {
    const ana = nextPsid();
    const bob = nextPsid();
    const anaComment = `777_${ana}`;
    const bobComment = `777_${bob}`;
    const first = await comment({
      id: anaComment,
      parent: `${PAGE}_777`,
      from: ana,
      name: 'Ana',
      text: 'Your outage in Austin TX is terrible',
    });
    expect(first.statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    const caseId = (await msgBy(anaComment)).case_id!;
    const second = await comment({
      id: bobComment,
      parent: anaComment,
      from: bob,
      name: 'Bob',
      text: 'same here in Austin',
    });
    expect(second.statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    // Bob's comment joins Ana's case, as a public reply in her thread.
    expect(await msgBy(bobComment)).toMatchObject({ case_id: caseId, author_address: bob });

    const dm = await reply(caseId, 'Could you DM us your account number?', 'private');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)).toMatchObject({
      kind: 'private_reply',
      body: { recipient: { comment_id: anaComment } },
    });
    const pub = await reply(caseId, 'Engineers are on it in Austin.', 'public');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)).toMatchObject({
      kind: 'comment',
      path: `/v21.0/${anaComment}/comments`,
    });
    const stored = await h
      .db()
      .selectFrom('messages')
      .select(['id', 'in_reply_to'])
      .where('id', 'in', [dm, pub])
      .execute();
    expect(stored.map((m) => m.in_reply_to)).toEqual([anaComment, anaComment]);
  });
});
