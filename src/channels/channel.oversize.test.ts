import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import {
  createChannel,
  deliverMeta,
  deliverX,
  META_APP_SECRET,
  META_VERIFY_TOKEN,
  postChannel,
  X_SECRET,
} from '../../test/fakes/channels.js';
import { messengerBody, PAGE } from '../../test/fakes/meta-harness.js';
import { ENGINES } from '../../test/support/engines.js';
import { TEXT_MAX } from '../ingest/inbound.schema.js';
import { fitText } from './channel.fit.js';
import { twilioSignature } from './sms/sms.verify.js';

const OUR = '835740314006511618';
const SID = `AC${'a'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-for-tests';

describe('fitText', () => {
  it('keeps text within the limit as it is and cuts longer text, marked, never half an emoji', () => {
    expect(fitText('short', 10)).toBe('short');
    const cut = fitText(`${'a'.repeat(99_935)}😀${'b'.repeat(200_000)}`);
    expect(cut.length).toBeLessThanOrEqual(TEXT_MAX);
    expect(cut).toBe(`${'a'.repeat(99_935)}… [truncated: 200001 characters]`);
  });
});

/**
 * Webhook messages longer than the inbound schema allows are kept, cut with a marker, instead of
 * acknowledged and then parked for good (the provider will not send them differently).
 */
describe.each(ENGINES)('oversized webhook text on %s', (engine) => {
  let t: TestApp;
  let x: string;
  let meta: string;
  let sms: string;
  let smsUrl: string;
  const db = () => t.app.database.db;

  beforeAll(async () => {
    t = await testApp(engine);
    x = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR },
      secrets: { consumerSecret: X_SECRET },
    });
    meta = await createChannel(t, {
      kind: 'meta',
      name: 'Meta',
      config: { pageId: PAGE },
      secrets: { appSecret: META_APP_SECRET, verifyToken: META_VERIFY_TOKEN, pageAccessToken: 'p' },
    });
    const res = await postChannel(t, {
      kind: 'sms',
      name: 'SMS',
      config: { accountSid: SID, from: '+12028831111' },
      secrets: { authToken: TOKEN },
    });
    expect(res.statusCode, res.body).toBe(201);
    sms = res.json().id;
    smsUrl = res.json().webhookUrl;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The stored message, once the pipeline ran, and how many events it parked. */
  async function stored(externalId: string) {
    await t.app.pipeline.drain();
    const parked = await db()
      .selectFrom('inbound_events')
      .select('external_id')
      .where('status', '=', 'parked')
      .execute();
    expect(parked).toEqual([]);
    return (
      await db()
        .selectFrom('messages')
        .select('text')
        .where('external_id', '=', externalId)
        .executeTakeFirstOrThrow()
    ).text;
  }

  const expectCut = (text: string, cutChars: number) => {
    expect(text.length).toBeLessThanOrEqual(TEXT_MAX);
    expect(text).toMatch(new RegExp(`^x{99000,}… \\[truncated: ${cutChars} characters\\]$`));
  };

  it('keeps a signed X tweet of 3,000,000 characters, cut to the limit', async () => {
    const id = '1700000000000000001';
    const body = JSON.stringify({
      for_user_id: OUR,
      tweet_create_events: [
        {
          id_str: id,
          text: 'x'.repeat(3_000_000),
          user: { id_str: '4242', screen_name: 'long' },
          timestamp_ms: String(Date.now() - 60_000),
        },
      ],
    });
    expect((await deliverX(t, x, body)).statusCode).toBe(200);
    expectCut(await stored(id), 3_000_000 - (TEXT_MAX - 64));
  });

  it('keeps a Messenger message of 3,000,000 characters, cut to the limit', async () => {
    const body = messengerBody('7003', PAGE, {
      timestamp: Date.now() - 60_000,
      message: { mid: 'm_long_7003', text: 'x'.repeat(3_000_000) },
    });
    expect((await deliverMeta(t, meta, body)).statusCode).toBe(200);
    expectCut(await stored('m_long_7003'), 3_000_000 - (TEXT_MAX - 64));
  });

  it('keeps an SMS webhook Body over the limit, cut to it', async () => {
    const form = new URLSearchParams({
      AccountSid: SID,
      MessageSid: `SM${'9'.repeat(32)}`,
      From: '+14155550100',
      To: '+12028831111',
      Body: 'x'.repeat(200_000),
      SmsStatus: 'received',
    });
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/webhooks/sms/${sms}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, smsUrl, form),
      },
      payload: form.toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expectCut(await stored(`SM${'9'.repeat(32)}`), 200_000 - (TEXT_MAX - 64));
  });
});
