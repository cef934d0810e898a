import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, retryNow, type TestApp } from '../../../test/builders.js';
import { createChannel, deliverMeta, META_VERIFY_TOKEN } from '../../../test/fakes/channels.js';
import {
  FBA,
  MetaHarness,
  messengerBody,
  nextPsid,
  PAGE,
} from '../../../test/fakes/meta-harness.js';
import { type FakeMeta, graphError } from '../../../test/fakes/meta-provider.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

describe.runIf(hasSharedData(FBA)).each(ENGINES)('Meta webhook and sending on %s', (engine) => {
  const h = new MetaHarness();
  let t: TestApp;
  let fake: FakeMeta;
  let ch: string;
  const { db, secrets, config, msgBy, statusOf, reply, outbox, messengerFrom } = h;

  beforeAll(async () => {
    await h.start(engine);
    ({ t, fake, ch } = h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** A Page feed webhook: `from` comments `message` on our post `post`, `agoSeconds` ago. */
  const commentBody = (
    commentId: string,
    post: string,
    from: { id: string; name: string },
    message: string,
    agoSeconds: number,
  ) =>
    JSON.stringify({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: Date.now(),
          changes: [
            {
              field: 'feed',
              value: {
                item: 'comment',
                verb: 'add',
                comment_id: commentId,
                post_id: `${PAGE}_${post}`,
                parent_id: `${PAGE}_${post}`,
                from,
                message,
                created_time: Math.floor(Date.now() / 1000) - agoSeconds,
              },
            },
          ],
        },
      ],
    });

  it('answers the subscription handshake only with our verify token', async () => {
    const ok = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/meta/${ch}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1158201444`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const bad = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/meta/${ch}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.json().error.message).toBe('verify token mismatch');
    const unsubscribe = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/meta/${ch}?hub.mode=unsubscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1`,
    });
    expect(unsubscribe.statusCode).toBe(400);
    expect(unsubscribe.json().error).toEqual({
      code: 'bad_request',
      message: 'hub.mode unsubscribe is not supported: only subscribe is',
    });
    const noChallenge = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/meta/${ch}?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}`,
    });
    expect(noChallenge.statusCode).toBe(400);
    expect(noChallenge.json().error.message).toBe('hub.challenge is missing');
  });

  it('refuses a bad signature and stores nothing; stores a signed message once, threading its echo', async () => {
    const raw = readSharedText(FBA, 'hello_msg.json');
    const n = async () =>
      Number(
        (
          await db()
            .selectFrom('inbound_events')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await n();
    expect((await deliverMeta(t, ch, raw, `sha256=${'0'.repeat(64)}`)).statusCode).toBe(403);
    expect((await deliverMeta(t, ch, raw, 'sha1=abc')).statusCode).toBe(403);
    expect(await n()).toBe(before);
    for (const f of ['duplicate_msg.json', 'hello_msg.json', 'echo.json', 'hello_msg.json']) {
      expect((await deliverMeta(t, ch, readSharedText(FBA, f))).statusCode).toBe(200);
    }
    expect(await n()).toBe(before + 2);
    await t.app.pipeline.drain();
    const hello = await msgBy('external_id');
    const echo = await msgBy('qT7ywaK');
    expect(hello).toMatchObject({
      channel: 'facebook',
      direction: 'in',
      visibility: 'private',
      author_address: '5678',
      text: 'Hello World',
    });
    expect(echo).toMatchObject({
      direction: 'out',
      in_reply_to: 'external_id',
      case_id: hello.case_id,
    });
  });

  it('sends within the 24-hour window, then delivery and read receipts move its status', async () => {
    const [who, caseId] = await messengerFrom(ch, Date.now() - 3_600_000);
    const id = await reply(caseId, 'Sorry about that — checking your bill now.');
    await t.app.outbox.runOnce();
    const sent = fake.sent.at(-1)!;
    expect(sent).toMatchObject({
      kind: 'message',
      body: {
        recipient: { id: who },
        messaging_type: 'RESPONSE',
        message: { text: 'Sorry about that — checking your bill now.' },
      },
    });
    const row = await db()
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.external_id).toMatch(/^m_FAKE/);
    const dlr = readSharedText(FBA, 'dlr.json')
      .replace('mid.1458668856218:ed81099e15d3f4f233', row.external_id)
      .replace('"5678"', `"${who}"`)
      .replace('1458668856253', String(Date.now()));
    expect((await deliverMeta(t, ch, dlr)).statusCode).toBe(200);
    expect(await statusOf(id)).toBe('delivered');
    const read = messengerBody(who, PAGE, { read: { watermark: Date.now() } });
    expect((await deliverMeta(t, ch, read)).statusCode).toBe(200);
    expect(await statusOf(id)).toBe('read');
    // A late delivery receipt never moves it back.
    expect((await deliverMeta(t, ch, dlr.replace('"seq"', '"seq2"'))).statusCode).toBe(200);
    expect(await statusOf(id)).toBe('read');
  });

  it('refuses a Messenger reply outside the 24-hour window, naming the rule; the human-agent tag extends it to 7 days', async () => {
    const [, caseId] = await messengerFrom(ch, Date.now() - 3 * 24 * 3_600_000);
    const before = fake.sent.length;
    // Refused when the agent sends it, with the rule to switch on; nothing queued.
    expect(await h.refused(caseId, 'Hello again')).toEqual({
      code: 'window_closed',
      message: expect.stringMatching(
        /^\[meta_24h\] the 24-hour messaging window is closed.*No other identity/,
      ),
      details: { rule: 'meta_24h', channel: 'facebook', kind: 'permission_missing' },
    });
    expect(fake.sent.length).toBe(before);
    // An internal note is no message to the customer: never refused.
    const note = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/notes`, {
      body: 'Window closed: call them instead',
    });
    expect(note.statusCode, note.body).toBe(201);

    const tagged = await createChannel(t, {
      kind: 'meta',
      name: 'tagged',
      config: config({ humanAgentTag: true }),
      secrets: secrets(),
    });
    const [, c2] = await messengerFrom(tagged, Date.now() - 3 * 24 * 3_600_000);
    await reply(c2, 'A human here, following up');
    await t.app.outbox.runOnce();
    expect(fake.sent.at(-1)!.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    // An automated message (a problem's status update) never goes under the human-agent tag.
    const addr = await db()
      .selectFrom('messages')
      .select('author_address')
      .where('case_id', '=', c2)
      .where('direction', '=', 'in')
      .executeTakeFirstOrThrow();
    const sentBefore = fake.sent.length;
    await expect(
      t.app.senders.get('facebook')!(
        {
          messageId: 'm-automated',
          caseId: c2,
          channel: 'facebook',
          channelId: tagged,
          to: addr.author_address,
          inReplyTo: null,
          visibility: 'private',
          text: 'Good news: it is fixed.',
          automated: true,
        },
        'automated-1',
      ),
    ).rejects.toThrow(/\[meta_24h\]/);
    expect(fake.sent.length).toBe(sentBefore);
    // Nor does the CSAT survey sent when the case is resolved: the system writes it.
    const resolved = await asAdmin(t, 'PATCH', `/api/v1/cases/${c2}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await t.app.outbox.runOnce();
    expect(fake.sent.length).toBe(sentBefore);
    const [, c3] = await messengerFrom(tagged, Date.now() - 8 * 24 * 3_600_000);
    expect(await h.refused(c3, 'too late')).toMatchObject({
      code: 'window_closed',
      details: { rule: 'meta_human_agent_7d' },
    });
  });

  it('answers a Page comment publicly, privately once, and hides it', async () => {
    const who = nextPsid();
    const commentId = `111_${who}`;
    const comment = commentBody(
      commentId,
      '111',
      { id: who, name: 'Pat' },
      'Is there an outage in 94110?',
      60,
    );
    expect((await deliverMeta(t, ch, comment)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const m = await msgBy(commentId);
    expect(m).toMatchObject({ visibility: 'public', author_address: who });
    await reply(m.case_id!, 'Yes — engineers are on it, next update by 09:30.');
    await t.app.outbox.runOnce();
    expect(fake.sent.at(-1)).toMatchObject({
      kind: 'comment',
      path: `/v21.0/${commentId}/comments`,
    });
    await reply(m.case_id!, 'Could you DM us your account number?', 'private');
    await t.app.outbox.runOnce();
    expect(fake.sent.at(-1)).toMatchObject({
      kind: 'private_reply',
      body: { recipient: { comment_id: commentId } },
    });
    // Meta takes one private reply per comment: a second is refused when the agent sends it.
    expect(await h.refused(m.case_id!, 'And your address?', 'private')).toMatchObject({
      code: 'window_closed',
      message: expect.stringMatching(/^\[meta_private_reply_once\]/),
      details: { rule: 'meta_private_reply_once', channel: 'facebook' },
    });

    const hide = await asAdmin(t, 'POST', `/api/v1/channels/${ch}/comments/${commentId}/hide`, {});
    expect(hide.statusCode).toBe(200);
    expect(fake.sent.at(-1)).toMatchObject({
      kind: 'hide',
      path: `/v21.0/${commentId}`,
      body: { is_hidden: true },
    });
    const audit = await db()
      .selectFrom('audit_log')
      .select('action')
      .where('target', '=', commentId)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['comment.hidden']);
  });

  it('answers a public reply on the comment even when a Messenger DM came later', async () => {
    const who = nextPsid();
    const commentId = `222_${who}`;
    const comment = commentBody(
      commentId,
      '222',
      { id: who, name: 'Sam' },
      'No service since noon',
      120,
    );
    const dm = readSharedText(FBA, 'hello_msg.json')
      .replaceAll('"5678"', `"${who}"`)
      .replaceAll('1459991487970', String(Date.now() - 60_000))
      .replace('"external_id"', `"m_dm_${who}"`)
      .replace('Hello World', 'here is my account number');
    for (const body of [comment, dm]) expect((await deliverMeta(t, ch, body)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const c = await msgBy(commentId);
    expect((await msgBy(`m_dm_${who}`)).case_id).toBe(c.case_id);
    const pub = await reply(c.case_id!, 'We are on it, updates here.', 'public');
    await t.app.outbox.runOnce();
    expect(fake.sent.at(-1)).toMatchObject({
      kind: 'comment',
      path: `/v21.0/${commentId}/comments`,
      body: { message: 'We are on it, updates here.' },
    });
    const stored = await db()
      .selectFrom('messages')
      .select(['visibility', 'in_reply_to'])
      .where('id', '=', pub)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ visibility: 'public', in_reply_to: commentId });
    await reply(c.case_id!, 'Thanks, checking your account.', 'private');
    await t.app.outbox.runOnce();
    expect(fake.sent.at(-1)).toMatchObject({
      kind: 'message',
      body: { recipient: { id: who }, message: { text: 'Thanks, checking your account.' } },
    });
  });

  it('maps Graph errors: rate limit waits, revoked token marks the channel, bad token never leaks', async () => {
    const [, caseId] = await messengerFrom(ch, Date.now() - 60_000);
    fake.script(graphError(400, 32, 'Page request limit reached', 'OAuthException'));
    const id = await reply(caseId, 'one');
    await t.app.outbox.runOnce();
    const ob = await outbox(id);
    expect(ob.status).toBe('pending');
    expect(ob.last_error).toMatch(
      /^rate_limited: Meta rate limit \(code 32\): Page request limit reached$/,
    );
    fake.script(
      graphError(
        400,
        190,
        'Error validating access token: The session has been invalidated',
        'OAuthException',
        460,
      ),
    );
    await retryNow(db(), ob.id);
    await t.app.outbox.runOnce();
    expect((await outbox(id)).last_error).toMatch(/^auth_revoked/);
    const health = (
      await t.app.http.inject({ method: 'GET', url: `/api/v1/channels/${ch}`, headers: t.auth })
    ).json();
    expect(health.health.status).toBe('auth_revoked');
    expect(JSON.stringify(health)).not.toContain(fake.pageToken);
    const test = await asAdmin(t, 'POST', `/api/v1/channels/${ch}/test`);
    expect(test.json()).toMatchObject({
      ok: true,
      account: { pageId: PAGE, pageName: 'Acme Care', whatsappName: 'Acme' },
    });
  });
});
