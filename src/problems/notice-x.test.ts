import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { OUR, xDeskWorld } from '../channels/x/test-world.js';
import { ACK_X_KIND } from './ack-x.js';
import { publicNoticeText } from './notice-x.js';
import { problemsWorld } from './test-world.js';

let seq = 0;

/**
 * A problem's status and fix notices to a customer whose case is a public X post were public
 * replies naming the place ("… the network problem in Austin, TX is fixed"). Now they follow the
 * informed acknowledgement's rule (ack-x.ts), through the fake X API: the reply under the post
 * names the trouble and its status only; the full notice follows by DM, or our DM link when X
 * refuses the DM. Delivery is still tracked per customer, by the notice.
 */
describe.each(ENGINES)('status notices on a public X case on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db } = x;
  const w = problemsWorld(() => t);

  /** A customer's public post (or DM) on X, linked to a problem in Austin, TX. */
  async function linked(kind: 'tweet' | 'dm' = 'tweet') {
    seq++;
    // Below the fake X's own ids (1900…), so a post is never taken for one of our replies.
    const id = String(1700000000000000000n + BigInt(seq) + (engine === 'sqlite' ? 0n : 5000n));
    const author = String(70_000 + seq + (engine === 'sqlite' ? 0 : 5000));
    const at = Date.now() - 3_600_000;
    const text = `@resistbot my phone has no signal at all #${seq}`;
    const event =
      kind === 'tweet'
        ? {
            tweet_create_events: [
              {
                id_str: id,
                text,
                user: { id_str: author, screen_name: `nx${seq}` },
                timestamp_ms: String(at),
              },
            ],
          }
        : {
            direct_message_events: [
              {
                type: 'message_create',
                id,
                created_timestamp: String(at),
                message_create: {
                  sender_id: author,
                  target: { recipient_id: OUR },
                  message_data: { text },
                },
              },
            ],
          };
    const caseId = await x.ingest({ for_user_id: OUR, ...event }, id);
    const c = await db()
      .selectFrom('cases')
      .select(['id as case_id', 'customer_id'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    return { caseId, postId: id, author, problemId: await w.autoProblem([c]) };
  }

  /** Runs the outbox, taking each wait (the notice's hold, the DM's deferral) as passed. */
  async function drain() {
    for (let i = 0; i < 20; i++) {
      if ((await t.app.outbox.runOnce()) > 0) continue;
      const next = await db()
        .selectFrom('outbox')
        .select('next_attempt_at')
        .where('status', '=', 'pending')
        .where('kind', 'in', [ACK_X_KIND, 'notify_customer'])
        .orderBy('next_attempt_at')
        .executeTakeFirst();
      if (!next) return;
      await db()
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', next.next_attempt_at)
        .execute();
    }
  }
  const mark = () => ({
    tweets: x.fake.requestsOf('tweets').length,
    dm: x.fake.requestsOf('dm').length,
  });
  const since = (from: { tweets: number; dm: number }) => ({
    tweets: x.fake.requestsOf('tweets').slice(from.tweets),
    dm: x.fake.requestsOf('dm').slice(from.dm),
  });
  const outbound = (caseId: string) =>
    db()
      .selectFrom('messages')
      .select(['visibility', 'text', 'status'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .orderBy('sent_at')
      .execute();
  const notices = (caseId: string) =>
    db()
      .selectFrom('problem_notifications')
      .select(['status', 'channel', 'text'])
      .where('case_id', '=', caseId)
      .orderBy('id')
      .execute();
  const history = async (caseId: string, type: string) =>
    (
      await db()
        .selectFrom('case_events')
        .select('data_json')
        .where('case_id', '=', caseId)
        .where('type', '=', type)
        .execute()
    ).map((e) => JSON.parse(e.data_json) as Record<string, unknown>);
  const words = { body: 'The mast on 5th Street was replaced.', silent: false };

  it('the fix under a public post names no place in public; the full notice goes by DM', async () => {
    const c = await linked();
    const before = mark();
    expect((await w.setStatus(c.problemId, { status: 'fixed', ...words })).statusCode).toBe(200);
    await drain();
    const sent = since(before);
    expect(sent.tweets).toHaveLength(1);
    expect(sent.dm).toHaveLength(1);
    const reply = JSON.parse(sent.tweets[0].body);
    expect(reply).toEqual({
      text: publicNoticeText({ topic: 'network', status: 'fixed' }),
      reply: { in_reply_to_tweet_id: c.postId },
    });
    expect(reply.text).not.toMatch(/Austin|TX|5th Street/);
    expect(reply.text).toMatch(/is fixed\. .*by DM/);
    expect(sent.dm[0].path).toBe(`/2/dm_conversations/with/${c.author}/messages`);
    const dm = JSON.parse(sent.dm[0].body).text as string;
    expect(dm).toMatch(/network problem in Austin, TX is fixed/);
    expect(dm).toContain('The mast on 5th Street was replaced.');
    // Tracked per customer by the notice (the full words); both messages on the case.
    expect(await notices(c.caseId)).toEqual([{ status: 'sent', channel: 'x', text: dm }]);
    expect((await outbound(c.caseId)).map((m) => [m.visibility, m.status, m.text])).toEqual([
      ['public', 'sent', reply.text],
      ['private', 'sent', dm],
    ]);
    expect(await history(c.caseId, 'problem_followup')).toEqual([
      expect.objectContaining({ via: 'dm', problemId: c.problemId }),
    ]);
    await drain();
    expect(since(before).tweets).toHaveLength(1);
    expect(since(before).dm).toHaveLength(1);
  });

  it('a status update in public says where things stand; our DM link when X refuses the DM', async () => {
    const c = await linked();
    const before = mark();
    x.fake.script('dm', {
      status: 403,
      body: { title: 'Forbidden', detail: 'Forbidden', type: 'about:blank', status: 403 },
    });
    const update = { status: 'fixing', body: 'Crews are at the Congress Ave mast.', silent: false };
    expect((await w.setStatus(c.problemId, update)).statusCode).toBe(200);
    await drain();
    const sent = since(before);
    expect(sent.dm).toHaveLength(1);
    expect(sent.tweets).toHaveLength(2);
    const [reply, link] = sent.tweets.map((r) => JSON.parse(r.body));
    expect(reply.text).toBe(publicNoticeText({ topic: 'network', status: 'fixing' }));
    expect(reply.text).toMatch(/Our team is working on a fix\./);
    expect(link.text).toContain(`https://twitter.com/messages/compose?recipient_id=${OUR}`);
    for (const r of [reply, link]) {
      expect(r.reply).toEqual({ in_reply_to_tweet_id: c.postId });
      expect(r.text).not.toMatch(/Austin|TX|Congress/);
    }
    expect((await notices(c.caseId)).map((n) => n.status)).toEqual(['sent']);
    expect(await history(c.caseId, 'problem_followup')).toEqual([
      expect.objectContaining({ via: 'dm_link' }),
    ]);
  });

  it('a customer who wrote by DM hears the full notice by DM, nothing in public', async () => {
    const c = await linked('dm');
    const before = mark();
    expect((await w.setStatus(c.problemId, { status: 'fixed', ...words })).statusCode).toBe(200);
    await drain();
    const sent = since(before);
    expect(sent.tweets.map((r) => r.body)).toEqual([]);
    expect(sent.dm).toHaveLength(1);
    expect(JSON.parse(sent.dm[0].body).text).toMatch(/in Austin, TX is fixed\. The mast/);
    expect(await history(c.caseId, 'problem_followup')).toEqual([]);
  });
});
