import { describe, expect, it } from 'vitest';
import { asAdmin, messageRow, retryNow, sendRowOf } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { aTweet, OUR, xDeskWorld } from './test-world.js';

let seq = 0;

describe.each(ENGINES)('X outbound through a fake X API on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db, reply } = x;

  /** A customer tweet (or DM) ingested through the webhook; returns its case id. */
  async function customerWrites(
    kind: 'tweet' | 'dm',
  ): Promise<{ caseId: string; externalId: string; author: string }> {
    seq++;
    const id = String(1500000000000000000n + BigInt(seq));
    const author = String(7000 + seq);
    const at = Date.now() - 60_000;
    const body =
      kind === 'tweet'
        ? {
            for_user_id: OUR,
            tweet_create_events: [
              aTweet(id, author, `cust${seq}`, `@resistbot my line is dead #${seq}`, at),
            ],
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
                  message_data: { text: 'hi' },
                },
              },
            ],
          };
    return { caseId: await x.ingest(body, id), externalId: id, author };
  }

  it('posts a public reply in the conversation and takes X’s id', async () => {
    const c = await customerWrites('tweet');
    const sent = await reply(c.caseId, 'Sorry! Engineers are on it, next update by 09:30.');
    await t.app.outbox.runOnce();
    const posted = x.fake.posted.at(-1)!;
    expect(posted).toMatchObject({
      inReplyTo: c.externalId,
      text: 'Sorry! Engineers are on it, next update by 09:30.',
    });
    const row = await messageRow(db(), sent.id);
    expect(row.status).toBe('sent');
    expect(row.external_id).toBe(posted.id);
    const req = x.fake.requestsOf('tweets').at(-1)!;
    expect(req.headers.authorization).toBe(`Bearer ${x.fake.userToken}`);
  });

  it('sends a DM to the customer for a private reply', async () => {
    const c = await customerWrites('dm');
    const sent = await reply(c.caseId, 'Can you send me your account number here?');
    await t.app.outbox.runOnce();
    expect(x.fake.dms.at(-1)).toMatchObject({
      to: c.author,
      text: 'Can you send me your account number here?',
    });
    expect((await messageRow(db(), sent.id)).external_id).toBe(x.fake.dms.at(-1)!.id);
  });

  it('answers the latest standing public tweet, never a DM or a deleted tweet', async () => {
    seq++;
    const author = String(7000 + seq);
    const base = 1600000000000000000n + BigInt(seq) * 1000n;
    const id = (n: number) => String(base + BigInt(n));
    const at = (n: number) => String(Date.now() - 60_000 + n);
    const tweet = (n: number) => ({
      id_str: id(n),
      text: `@resistbot still no signal ${n}`,
      user: { id_str: author, screen_name: `cust${seq}` },
      timestamp_ms: at(n),
      ...(n > 1 ? { in_reply_to_status_id_str: id(n - 1) } : {}),
    });
    const dm = {
      type: 'message_create',
      id: id(100),
      created_timestamp: at(100),
      message_create: {
        sender_id: author,
        target: { recipient_id: OUR },
        message_data: { text: 'my account number is 1234' },
      },
    };
    for (const body of [
      { tweet_create_events: [tweet(1), tweet(2), tweet(3)] },
      { direct_message_events: [dm] },
    ]) {
      const res = await x.deliver(JSON.stringify({ for_user_id: OUR, ...body }));
      expect(res.statusCode).toBe(200);
    }
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', 'in', [id(1), id(3), id(100)])
      .execute();
    expect(new Set(rows.map((r) => r.case_id)).size).toBe(1);
    const caseId = rows[0].case_id!;
    await reply(caseId, 'Sorry, engineers are on it.', 'public');
    await t.app.outbox.runOnce();
    expect(x.fake.posted.at(-1)).toMatchObject({ inReplyTo: id(3) });
    await reply(caseId, 'Thanks, checking that account.', 'private');
    await t.app.outbox.runOnce();
    expect(x.fake.dms.at(-1)).toMatchObject({ to: author, text: 'Thanks, checking that account.' });
    // The customer deletes the newest tweet: the next public reply answers the one before.
    const del = {
      for_user_id: OUR,
      tweet_delete_events: [{ status: { id: id(3), user_id: author }, timestamp_ms: at(200) }],
    };
    expect((await x.deliver(JSON.stringify(del))).statusCode).toBe(200);
    await reply(caseId, 'Update: a fix is rolling out.', 'public');
    await t.app.outbox.runOnce();
    expect(x.fake.posted.at(-1)).toMatchObject({ inReplyTo: id(2) });
    // With every tweet deleted there is nothing public to answer: refused, nothing queued.
    for (const n of [1, 2]) {
      const d = {
        ...del,
        tweet_delete_events: [
          { ...del.tweet_delete_events[0], status: { id: id(n), user_id: author } },
        ],
      };
      expect((await x.deliver(JSON.stringify(d))).statusCode).toBe(200);
    }
    const before = x.fake.requestsOf('tweets').length;
    const refused = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, {
      text: 'Hello?',
      visibility: 'public',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toMatch(/no public message .* reply privately/);
    await t.app.outbox.runOnce();
    expect(x.fake.requestsOf('tweets').length).toBe(before);
  });

  it('takes a DM read receipt as a watermark: every earlier DM we sent them is read', async () => {
    const c = await customerWrites('dm');
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      ids.push((await reply(c.caseId, text)).id);
      await t.app.outbox.runOnce();
      await new Promise((r) => setTimeout(r, 5));
    }
    const rows = async () =>
      Promise.all(ids.map(async (id) => (await messageRow(db(), id)).status));
    expect(await rows()).toEqual(['sent', 'sent', 'sent']);
    const second = (await messageRow(db(), ids[1])).external_id;
    const readBy = (reader: string, last: string) =>
      JSON.stringify({
        for_user_id: OUR,
        direct_message_mark_read_events: [
          {
            created_timestamp: String(Date.now()),
            sender_id: reader,
            target: { recipient_id: reader === OUR ? c.author : OUR },
            last_read_event_id: last,
          },
        ],
      });
    // Our own account reading their DM says nothing about what they read.
    expect((await x.deliver(readBy(OUR, c.externalId))).statusCode).toBe(200);
    expect(await rows()).toEqual(['sent', 'sent', 'sent']);
    expect((await x.deliver(readBy(c.author, second))).statusCode).toBe(200);
    expect(await rows()).toEqual(['read', 'read', 'sent']);
  });

  it('refuses a public reply over 280 weighted characters at once, without calling X', async () => {
    const c = await customerWrites('tweet');
    const before = x.fake.requestsOf('tweets').length;
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${c.caseId}/replies`, {
      text: '漢'.repeat(141),
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'too_long',
      message: expect.stringMatching(/weighs 282.*never split/),
      details: { rule: 'x_public_length', channel: 'x', kind: 'bad_request' },
    });
    // Nothing stored or queued.
    const out = await db()
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', c.caseId)
      .where('direction', '=', 'out')
      .execute();
    expect(out).toEqual([]);
    // The sender still refuses it before calling X (a reply queued before this check).
    await expect(
      t.app.senders.get('x')!(
        {
          messageId: 'm-long',
          caseId: c.caseId,
          channel: 'x',
          channelId: x.channelId,
          to: 'someone',
          inReplyTo: null,
          visibility: 'public',
          text: '漢'.repeat(141),
        },
        'send_message:m-long',
      ),
    ).rejects.toMatchObject({ kind: 'bad_request', rule: 'x_public_length' });
    expect(x.fake.requestsOf('tweets').length).toBe(before);
    // The same words go as a DM, which holds them.
    expect((await reply(c.caseId, '漢'.repeat(141), 'private')).id).toBeTruthy();
  });

  it('waits out a 429 for the time X names, then delivers', async () => {
    const c = await customerWrites('tweet');
    x.fake.script('tweets', {
      status: 429,
      headers: {
        'x-rate-limit-limit': '200',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 600),
        'retry-after': '120',
      },
      body: {
        title: 'Too Many Requests',
        detail: 'Too Many Requests',
        type: 'about:blank',
        status: 429,
      },
    });
    const sent = await reply(c.caseId, 'We are looking into it.');
    const t0 = Date.now();
    await t.app.outbox.runOnce();
    let ob = await sendRowOf(db(), sent.id);
    expect(ob.status).toBe('pending');
    expect(ob.last_error).toMatch(/^rate_limited/);
    expect(Number(ob.next_attempt_at)).toBeGreaterThanOrEqual(t0 + 119_000);
    expect(Number(ob.next_attempt_at)).toBeLessThanOrEqual(Date.now() + 121_000);
    const health = (await asAdmin(t, 'GET', `/api/v1/channels/${x.channelId}`)).json().health;
    expect(health.rateLimits.tweets.remaining).toBe(0);
    // Time passes (the row becomes due, X's block is over), and the retry goes through.
    await retryNow(db(), ob.id);
    await db().updateTable('channel_state').set({ rate_limit_json: '{}' }).execute();
    await t.app.outbox.runOnce();
    ob = await sendRowOf(db(), sent.id);
    expect(ob.status).toBe('delivered');
    expect((await messageRow(db(), sent.id)).status).toBe('sent');
  });

  it('backs off on a 5xx and retries', async () => {
    const c = await customerWrites('tweet');
    x.fake.script('tweets', {
      status: 503,
      body: { title: 'Service Unavailable', detail: 'Service Unavailable', status: 503 },
    });
    const sent = await reply(c.caseId, 'Checking now.');
    const t0 = Date.now();
    await t.app.outbox.runOnce();
    const ob = await sendRowOf(db(), sent.id);
    expect(ob.status).toBe('pending');
    expect(ob.last_error).toMatch(/^temporary: X error 503/);
    expect(Number(ob.next_attempt_at)).toBeGreaterThanOrEqual(t0 + 2000);
    await retryNow(db(), ob.id);
    await t.app.outbox.runOnce();
    expect((await sendRowOf(db(), sent.id)).status).toBe('delivered');
  });

  it('marks the channel auth_revoked when X refuses the token; the message is kept, failed', async () => {
    const c = await customerWrites('tweet');
    const good = x.fake.userToken;
    x.fake.userToken = 'rotated';
    const sent = await reply(c.caseId, 'One moment.');
    await t.app.outbox.runOnce();
    x.fake.userToken = good;
    const row = await messageRow(db(), sent.id);
    expect(row.status).toBe('failed');
    expect(row.text).toBe('One moment.');
    expect((await sendRowOf(db(), sent.id)).last_error).toMatch(/^auth_revoked/);
    const h = (await asAdmin(t, 'GET', `/api/v1/channels/${x.channelId}`)).json().health;
    expect(h.status).toBe('auth_revoked');
    // Reconnected (token valid again): the connection test clears it.
    x.fake.me.id = OUR;
    const test = await asAdmin(t, 'POST', `/api/v1/channels/${x.channelId}/test`);
    expect(test.json()).toMatchObject({ ok: true, account: { id: OUR } });
    const h2 = (await asAdmin(t, 'GET', `/api/v1/channels/${x.channelId}`)).json().health;
    expect(h2.status).toBe('ok');
  });

  it('gives the DM deep link for a public → private handoff', async () => {
    const res = await asAdmin(t, 'GET', `/api/v1/channels/${x.channelId}/dm-link?text=case%2042`);
    expect(res.json().url).toBe(
      `https://twitter.com/messages/compose?recipient_id=${OUR}&text=case+42`,
    );
  });
});
