import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, type TestApp, testApp } from '../../../test/builders.js';
import {
  createChannel,
  deliverX,
  stringifyExact,
  v1Statuses,
  X_SECRET,
} from '../../../test/fakes/channels.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';
import { applyPendingMarks } from '../channel.marks.js';

const AA = 'x-twitter-api/courier-account-activity';
const OUR_ACCOUNT = '835740314006511618';

describe.runIf(hasSharedData(AA)).each(ENGINES)('X webhook on %s', (engine) => {
  let t: TestApp;
  let channelId: string;
  const db = () => t.app.database.db;
  const count = async (table: 'inbound_events' | 'messages') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await testApp(engine);
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'Support on X',
      config: { accountId: OUR_ACCOUNT, handle: 'resistbot' },
      secrets: { consumerSecret: X_SECRET },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the CRC challenge with the consumer secret', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/x/${channelId}?crc_token=test+token`,
    });
    expect(res.statusCode).toBe(200);
    const { createHmac } = await import('node:crypto');
    expect(res.json()).toEqual({
      response_token: `sha256=${createHmac('sha256', X_SECRET).update('test token').digest('base64')}`,
    });
    const unknown = await t.app.http.inject({ method: 'GET', url: '/webhooks/x/nope?crc_token=a' });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a delivery with a wrong or missing signature and stores nothing', async () => {
    const raw = readSharedText(AA, 'helloMsg.json');
    const before = await count('inbound_events');
    const wrong = await deliverX(t, channelId, raw, 'sha256=bm9wZQ==');
    expect(wrong.statusCode).toBe(403);
    const tampered = await deliverX(t, channelId, raw.replace('Hello', 'Hallo'), undefined);
    // Signed correctly for the tampered text: accepted. Now sign the original, send the tampered.
    expect(tampered.statusCode).toBe(200);
    const { signXBody } = await import('./x.verify.js');
    const mismatch = await deliverX(t, channelId, raw, signXBody(`${raw} `, X_SECRET));
    expect(mismatch.statusCode).toBe(403);
    const missing = await t.app.http.inject({
      method: 'POST',
      url: `/webhooks/x/${channelId}`,
      headers: { 'content-type': 'application/json' },
      payload: raw,
    });
    expect(missing.statusCode).toBe(403);
    expect(await count('inbound_events')).toBe(before + 1);
    // Clean slate for the threading assertions below.
    await t.app.pipeline.drain();
  });

  it('ingests a DM end to end into a private message on a case, once, however often delivered', async () => {
    const raw = readSharedText(AA, 'attachment.json').replace(
      '958501034212564996',
      '958501034212565000',
    );
    const results = await Promise.all([1, 2, 3].map(() => deliverX(t, channelId, raw)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(results.reduce((s, r) => s + r.json().accepted, 0)).toBe(1);
    await t.app.pipeline.drain();
    const msg = await db()
      .selectFrom('messages')
      .selectAll()
      .where('external_id', '=', '958501034212565000')
      .executeTakeFirstOrThrow();
    expect(msg).toMatchObject({
      channel: 'x',
      channel_id: channelId,
      direction: 'in',
      visibility: 'private',
      author_address: '272953809',
      status: 'received',
    });
    expect(JSON.parse(msg.attachments_json)).toEqual([
      { type: 'media', url: 'https://image.foo.com/image.jpg' },
    ]);
    expect(msg.case_id).toBeTruthy();
    // The customer's earlier DM (the signed "Hallo" one) and this one share the open case.
    const hallo = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', '958501034212564996')
      .executeTakeFirstOrThrow();
    expect(hallo.case_id).toBe(msg.case_id);
  });

  it('threads a reply into its parent case, keeps big ids exact, and files our echo on the case', async () => {
    const statuses = v1Statuses();
    // A customer tweet, the customer's reply to it, and our reply to the customer — shuffled,
    // with duplicates, in separate deliveries.
    const parent = statuses.find((s) => String(s.id_str) === '1149624207275249670')!;
    const reply = {
      ...parent,
      id: parent.id, // the original lossless number
      id_str: '1149624207275249999',
      text: 'still broken &amp; nobody answers',
      in_reply_to_status_id_str: '1149624207275249670',
      timestamp_ms: '1562869000000',
    };
    const ours = {
      ...parent,
      id_str: '1149624207275250001',
      text: '@Apomor sorry, we are on it',
      user: { id_str: OUR_ACCOUNT, screen_name: 'resistbot', name: 'Resistbot' },
      in_reply_to_status_id_str: '1149624207275249999',
      in_reply_to_user_id_str: '64807533',
      timestamp_ms: '1562869100000',
    };
    const body = (tweets: unknown[]) =>
      stringifyExact({ for_user_id: OUR_ACCOUNT, tweet_create_events: tweets });
    for (const b of [
      body([parent]),
      body([reply, parent]),
      body([parent]),
      body([ours]),
      body([reply]),
    ]) {
      expect((await deliverX(t, channelId, b)).statusCode).toBe(200);
    }
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .select(['external_id', 'case_id', 'direction', 'text', 'in_reply_to', 'author_address'])
      .where('external_id', 'in', [
        '1149624207275249670',
        '1149624207275249999',
        '1149624207275250001',
      ])
      .orderBy('external_id')
      .execute();
    expect(rows.map((r) => r.external_id)).toEqual([
      '1149624207275249670',
      '1149624207275249999',
      '1149624207275250001',
    ]);
    expect(new Set(rows.map((r) => r.case_id)).size).toBe(1);
    expect(rows[0].case_id).toBeTruthy();
    expect(rows[1].text).toBe('still broken & nobody answers');
    expect(rows[2]).toMatchObject({ direction: 'out', author_address: OUR_ACCOUNT });
    const c = await db()
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', rows[0].case_id!)
      .executeTakeFirstOrThrow();
    expect(Number(c.message_count)).toBe(3);
  });

  it('marks a deleted tweet deleted (keeping its text), whichever arrives first', async () => {
    const statuses = v1Statuses();
    const tweet = statuses.find((s) => String(s.id_str) === '1149557488447975429')!;
    const del = (id: string) =>
      JSON.stringify({
        for_user_id: OUR_ACCOUNT,
        tweet_delete_events: [
          { status: { id: id, user_id: '1149247967263510528' }, timestamp_ms: '1563000000000' },
        ],
      });
    // Deletion before the tweet.
    expect((await deliverX(t, channelId, del('1149557488447975429'))).statusCode).toBe(200);
    expect(
      (
        await deliverX(
          t,
          channelId,
          stringifyExact({ for_user_id: OUR_ACCOUNT, tweet_create_events: [tweet] }),
        )
      ).statusCode,
    ).toBe(200);
    await t.app.pipeline.drain();
    await applyPendingMarks(db(), t.app.workspace.workspaceId, Date.now());
    const row = await db()
      .selectFrom('messages')
      .select(['deleted_at', 'text', 'case_id'])
      .where('external_id', '=', '1149557488447975429')
      .executeTakeFirstOrThrow();
    expect(Number(row.deleted_at)).toBe(1563000000000);
    expect(row.text).toBe('test Tweepy');
    expect(row.case_id).toBeTruthy();
    // A repeated deletion changes nothing.
    expect((await deliverX(t, channelId, del('1149557488447975429'))).statusCode).toBe(200);
    const marks = await db()
      .selectFrom('channel_marks')
      .select('id')
      .where('external_id', '=', '1149557488447975429')
      .execute();
    expect(marks).toHaveLength(1);
  });

  it('records the last event in the channel health', async () => {
    const res = await asAdmin(t, 'GET', `/api/v1/channels/${channelId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().health.lastEventAt).toBeTruthy();
    expect(res.json().health.status).toBe('ok');
    expect(JSON.stringify(res.json())).not.toContain(X_SECRET);
  });
});
