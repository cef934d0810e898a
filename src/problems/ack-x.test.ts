import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { OUR, xDeskWorld } from '../channels/x/test-world.js';
import { ACK_X_KIND, publicAckText } from './ack-x.js';
import { applyDecisions } from './apply-decisions.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { problemsWorld } from './test-world.js';

const settings = { ...DEFAULT_PROBLEM_SETTINGS, autoAcknowledge: true };
let seq = 0;

/**
 * PRODUCT.md's morning: a new complainer on X gets "a public reply with a private follow-up".
 * Through the fake X API (documented v2 requests): the reply under their post is short and says
 * nothing of where they are; the status, place and ETA follow by DM; a customer who takes no DMs
 * from us gets our DM deep link instead; X's rate limits hold the DM, never repeat the reply.
 */
describe.each(ENGINES)('the informed acknowledgement on X on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db } = x;
  const w = problemsWorld(() => t);
  const eta = Date.now() + 3 * 3_600_000;

  /** A customer's complaint on X (a public post or a DM) linked on arrival to a new problem. */
  async function complaintLinked(kind: 'tweet' | 'dm') {
    seq++;
    const id = String(1800000000000000000n + BigInt(seq) + (engine === 'sqlite' ? 0n : 5000n));
    const author = String(60_000 + seq + (engine === 'sqlite' ? 0 : 5000));
    const at = Date.now() - 60_000;
    const text = `@resistbot my phone has no signal at all #${seq}`;
    const event =
      kind === 'tweet'
        ? {
            tweet_create_events: [
              {
                id_str: id,
                text,
                user: { id_str: author, screen_name: `ack${seq}` },
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
    const problemId = await w.autoProblem([]);
    await db().updateTable('problems').set({ eta_at: eta }).where('id', '=', problemId).execute();
    const open = await w.openRows(problemId);
    await db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          w.ws(),
          Date.now(),
          [],
          [w.linkTo(problemId, c)],
          new Map(),
          open,
          settings,
          new Set(),
        ),
      );
    return { caseId, problemId, postId: id, author };
  }

  /**
   * Runs the outbox until nothing is due, then takes the earliest wait (the follow-up's short
   * deferral, a back-off) as passed, and again, so rows go in the order they would.
   */
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

  const outbound = (caseId: string) =>
    db()
      .selectFrom('messages')
      .select(['visibility', 'text', 'status', 'external_id', 'in_reply_to'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .orderBy('sent_at')
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
  const notice = (caseId: string) =>
    db()
      .selectFrom('problem_notifications')
      .select(['status', 'channel', 'text'])
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
  /** The requests the fake X got since `from` (indexes into its log), by family. */
  const since = (from: { tweets: number; dm: number }) => ({
    tweets: x.fake.requestsOf('tweets').slice(from.tweets),
    dm: x.fake.requestsOf('dm').slice(from.dm),
  });
  const mark = () => ({
    tweets: x.fake.requestsOf('tweets').length,
    dm: x.fake.requestsOf('dm').length,
  });

  it('a public post gets a short public reply, then the full acknowledgement by DM', async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    await drain();
    const sent = since(before);
    expect(sent.tweets).toHaveLength(1);
    expect(sent.dm).toHaveLength(1);
    // The documented v2 requests: the reply in the customer's thread, the DM to them by id.
    const reply = JSON.parse(sent.tweets[0].body);
    const publicText = publicAckText({ topic: 'network', status: 'suspected' });
    expect(reply).toEqual({ text: publicText, reply: { in_reply_to_tweet_id: c.postId } });
    expect(sent.dm[0].method).toBe('POST');
    expect(sent.dm[0].path).toBe(`/2/dm_conversations/with/${c.author}/messages`);
    const dm = JSON.parse(sent.dm[0].body) as { text: string };
    // The public words say nothing of where the customer is, nor the ETA; the DM says both.
    expect(reply.text).not.toMatch(/Austin|TX|UTC/);
    expect(reply.text).toMatch(/by DM/);
    expect(dm.text).toMatch(/network problem in Austin, TX/);
    expect(dm.text).toMatch(/We expect it fixed by .* UTC\./);
    // Public first, then the DM (the fake numbers what it takes in order).
    expect(BigInt(x.fake.posted.at(-1)!.id)).toBeLessThan(BigInt(x.fake.dms.at(-1)!.id));
    // Both tracked: the public reply as the acknowledgement's notice, the DM on the case.
    expect(await notice(c.caseId)).toEqual({ status: 'sent', channel: 'x', text: publicText });
    const out = await outbound(c.caseId);
    expect(out.map((m) => [m.visibility, m.status])).toEqual([
      ['public', 'sent'],
      ['private', 'sent'],
    ]);
    expect(out[0].external_id).toBe(x.fake.posted.at(-1)!.id);
    expect(out[1].external_id).toBe(x.fake.dms.at(-1)!.id);
    expect(out[1].text).toBe(dm.text);
    expect(await history(c.caseId, 'problem_followup')).toEqual([
      expect.objectContaining({ via: 'dm', problemId: c.problemId }),
    ]);
    // Nothing more to send: another run calls X no more.
    await drain();
    expect(since(before).tweets).toHaveLength(1);
    expect(since(before).dm).toHaveLength(1);
  });

  it('a customer who takes no DMs from us gets our DM deep link in public instead', async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    x.fake.script('dm', {
      status: 403,
      body: {
        title: 'Forbidden',
        detail: 'You are not permitted to send a message to this user.',
        type: 'about:blank',
        status: 403,
      },
    });
    await drain();
    const sent = since(before);
    expect(sent.dm).toHaveLength(1);
    expect(sent.tweets).toHaveLength(2);
    const link = JSON.parse(sent.tweets[1].body);
    expect(link.reply).toEqual({ in_reply_to_tweet_id: c.postId });
    expect(link.text).toContain(`https://twitter.com/messages/compose?recipient_id=${OUR}`);
    expect(link.text).not.toMatch(/Austin|UTC/);
    const out = await outbound(c.caseId);
    expect(out.map((m) => [m.visibility, m.status])).toEqual([
      ['public', 'sent'],
      ['public', 'sent'],
    ]);
    const [followUp] = await history(c.caseId, 'problem_followup');
    expect(followUp).toMatchObject({ via: 'dm_link' });
    expect(followUp.dmRefused).toMatch(/^permission_missing: X forbids this/);
    await drain();
    expect(since(before).dm).toHaveLength(1);
    expect(since(before).tweets).toHaveLength(2);
  });

  it('a DM held by X rate limit goes after the reset; the public reply is not posted again', async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    x.fake.script('dm', {
      status: 429,
      headers: {
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 600),
        'retry-after': '120',
      },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', status: 429 },
    });
    // The public reply, then the DM meets the 429.
    await t.app.outbox.runOnce();
    await t.app.outbox.runOnce();
    const row = await db()
      .selectFrom('outbox')
      .select(['id', 'status', 'last_error', 'next_attempt_at'])
      .where('idempotency_key', '=', `${ACK_X_KIND}:${c.problemId}:${c.caseId}`)
      .executeTakeFirstOrThrow();
    await db().updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', row.id).execute();
    await t.app.outbox.runOnce();
    const held = await db()
      .selectFrom('outbox')
      .select(['status', 'last_error', 'next_attempt_at'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(held.status).toBe('pending');
    expect(held.last_error).toMatch(/^rate_limited/);
    expect(Number(held.next_attempt_at)).toBeGreaterThan(Date.now() + 100_000);
    expect(since(before).dm).toHaveLength(1);
    expect((await outbound(c.caseId)).map((m) => m.visibility)).toEqual(['public']);
    // The window resets: the DM goes, once; the public reply stays one.
    await db().updateTable('channel_state').set({ rate_limit_json: '{}' }).execute();
    await drain();
    expect(since(before).dm).toHaveLength(2);
    expect(since(before).tweets).toHaveLength(1);
    expect((await outbound(c.caseId)).map((m) => [m.visibility, m.status])).toEqual([
      ['public', 'sent'],
      ['private', 'sent'],
    ]);
  });

  it('a DM complaint is answered by DM with the full acknowledgement, and nothing in public', async () => {
    const before = mark();
    const c = await complaintLinked('dm');
    await drain();
    const sent = since(before);
    expect(sent.tweets).toHaveLength(0);
    expect(sent.dm).toHaveLength(1);
    expect(JSON.parse(sent.dm[0].body).text).toMatch(/in Austin, TX.*We expect it fixed by/);
    expect((await notice(c.caseId)).status).toBe('sent');
    expect(await history(c.caseId, 'problem_followup')).toEqual([]);
  });

  it('a public reply X takes without an id is sent once, the DM still follows', async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    x.fake.script('tweets', { status: 201, body: { data: {} } });
    await drain();
    expect(since(before).tweets).toHaveLength(1);
    expect(since(before).dm).toHaveLength(1);
    expect((await notice(c.caseId)).status).toBe('sent');
    const out = await outbound(c.caseId);
    expect(out.map((m) => [m.visibility, m.status])).toEqual([
      ['public', 'sent'],
      ['private', 'sent'],
    ]);
    expect(out[0].external_id).toMatch(/^tl-/);
  });

  it('a fix notice X takes without an id is sent once, as the acknowledgement is', async () => {
    const c = await complaintLinked('tweet');
    await drain();
    // The acknowledgement went out a while ago: the fix notice is not held by the gap after it.
    await db()
      .updateTable('problem_notifications')
      .set({ sent_at: Date.now() - 3_600_000 })
      .where('case_id', '=', c.caseId)
      .execute();
    const before = mark();
    // X answers the fix notice's reply 201 without data.id.
    x.fake.script('tweets', { status: 201, body: {} });
    expect((await w.setStatus(c.problemId, { status: 'fixed', silent: false })).statusCode).toBe(
      200,
    );
    await drain();
    expect(since(before).tweets).toHaveLength(1);
    const fix = await db()
      .selectFrom('problem_notifications')
      .select(['status', 'message_id'])
      .where('case_id', '=', c.caseId)
      .where('update_id', '!=', `ack:${c.problemId}`)
      .executeTakeFirstOrThrow();
    expect(fix.status).toBe('sent');
    const m = await db()
      .selectFrom('messages')
      .select(['external_id', 'status'])
      .where('id', '=', fix.message_id!)
      .executeTakeFirstOrThrow();
    expect(m).toEqual({ external_id: `tl-${fix.message_id}`, status: 'sent' });
  });

  it('a post with no X channel record behind it gets the full acknowledgement, not a promise of a DM', async () => {
    seq++;
    const [c] = await w.ingest([
      aMessage({
        channel: 'x',
        visibility: 'public',
        author: { id: `api-x-${engine}-${seq}` },
        text: 'my phone has no signal at all',
      }),
    ]);
    const problemId = await w.autoProblem([]);
    const open = await w.openRows(problemId);
    await db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          w.ws(),
          Date.now(),
          [],
          [w.linkTo(problemId, c)],
          new Map(),
          open,
          settings,
          new Set(),
        ),
      );
    const before = mark();
    await drain();
    expect(since(before)).toEqual({ tweets: [], dm: [] });
    expect(await history(c.case_id!, 'problem_followup_failed')).toEqual([]);
    // Nothing could send the DM: the notice is the whole acknowledgement, through the notifier's
    // route (it said "details by DM", and no DM followed).
    const told = await notice(c.case_id!);
    expect(told.text).not.toMatch(/by DM/);
    expect(told.text).toContain('network');
    const ack = await db()
      .selectFrom('outbox')
      .select('status')
      .where('idempotency_key', '=', `${ACK_X_KIND}:${problemId}:${c.case_id}`)
      .executeTakeFirstOrThrow();
    expect(ack.status).toBe('delivered');
  });

  it('a follow-up DM a newer notice overtook is not sent: the customer hears the news instead', async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    // The public reply goes; the DM waits its turn (or X's reset) …
    await t.app.outbox.runOnce();
    await t.app.outbox.runOnce();
    expect(since(before).tweets).toHaveLength(1);
    // … while the owner team posts news: a newer notice to the customer is queued.
    const update = { status: 'fixing', body: 'Crews are on site.', silent: false };
    expect((await w.setStatus(c.problemId, update)).statusCode).toBe(200);
    await drain();
    expect(since(before).dm).toHaveLength(0);
    const [superseded] = await history(c.caseId, 'problem_followup_superseded');
    expect(superseded).toMatchObject({ problemId: c.problemId });
    const news = await db()
      .selectFrom('problem_notifications')
      .select(['id', 'text'])
      .where('case_id', '=', c.caseId)
      .where('update_id', '!=', `ack:${c.problemId}`)
      .executeTakeFirstOrThrow();
    expect(superseded.supersededBy).toBe(news.id);
    expect(news.text).toContain('Crews are on site.');
  });

  it("the DM link answers the customer's public post even when they wrote privately since", async () => {
    const before = mark();
    const c = await complaintLinked('tweet');
    await t.app.outbox.runOnce();
    await t.app.outbox.runOnce();
    // The customer writes us a DM meanwhile; X still refuses ours (their settings changed).
    const dmId = String(BigInt(c.postId) + 100_000n);
    const dmEvent = {
      type: 'message_create',
      id: dmId,
      created_timestamp: String(Date.now() - 1000),
      message_create: {
        sender_id: c.author,
        target: { recipient_id: OUR },
        message_data: { text: 'any news?' },
      },
    };
    expect(await x.ingest({ for_user_id: OUR, direct_message_events: [dmEvent] }, dmId)).toBe(
      c.caseId,
    );
    x.fake.script('dm', {
      status: 403,
      body: { title: 'Forbidden', detail: 'Forbidden', type: 'about:blank', status: 403 },
    });
    await drain();
    const tweets = since(before).tweets;
    expect(tweets).toHaveLength(2);
    expect(JSON.parse(tweets[1].body).reply).toEqual({ in_reply_to_tweet_id: c.postId });
  });
});
