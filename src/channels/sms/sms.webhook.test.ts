import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, type TestApp, testApp } from '../../../test/builders.js';
import { postChannel } from '../../../test/fakes/channels.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { FakeTwilio } from '../../../test/fakes/twilio.js';
import { ENGINES } from '../../../test/support/engines.js';
import { twilioSignature, verifyTwilioSignature } from './sms.verify.js';

const DIR = 'twilio-webhooks';
const haveData = hasSharedData(DIR);

interface Vector {
  name: string;
  auth_token: string;
  url_signed: string;
  params_in_signing_order: [string, string][];
  expected_signature: string;
}
interface FormCase {
  name: string;
  raw_body: string;
}
const vectors = () =>
  (JSON.parse(readSharedText(DIR, 'twilio_signature_vectors.json')) as { vectors: Vector[] })
    .vectors;
const forms = () =>
  new Map(
    (
      JSON.parse(readSharedText(DIR, 'courier_twiml_form_bodies.json')) as { cases: FormCase[] }
    ).cases.map((c) => [c.name, c.raw_body]),
  );

describe.skipIf(!haveData)('X-Twilio-Signature against the shared vectors', () => {
  it('computes every vector', () => {
    const all = vectors();
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const v of all) {
      const params = new URLSearchParams(v.params_in_signing_order);
      expect(twilioSignature(v.auth_token, v.url_signed, params), v.name).toBe(
        v.expected_signature,
      );
      expect(verifyTwilioSignature(v.auth_token, v.url_signed, params, v.expected_signature)).toBe(
        true,
      );
      expect(
        verifyTwilioSignature('another-token', v.url_signed, params, v.expected_signature),
      ).toBe(false);
    }
  });
  it('accepts a signature over the URL with the default port for the URL without it', () => {
    for (const name of ['https_with_port_443', 'http_with_port_80']) {
      const v = vectors().find((x) => x.name === name)!;
      const bare = v.url_signed.replace(/:(443|80)\//, '/');
      expect(bare).not.toBe(v.url_signed);
      const params = new URLSearchParams(v.params_in_signing_order);
      expect(verifyTwilioSignature(v.auth_token, bare, params, v.expected_signature), name).toBe(
        true,
      );
    }
  });
});

describe.skipIf(!haveData).each(ENGINES)('SMS webhook on %s', (engine) => {
  let t: TestApp;
  let twilio: FakeTwilio;
  let channelId: string;
  let hookUrl: string;
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    t = await testApp(engine);
    const res = await postChannel(t, twilio.channelPayload('+12028831111'));
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    hookUrl = res.json().webhookUrl;
    expect(hookUrl).toMatch(new RegExp(`/webhooks/sms/${channelId}$`));
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });
  const db = () => t.app.database.db;
  /** A fixture's form, for this channel's account (the fixtures name a placeholder one). */
  const form = (name: string) =>
    forms().get(name)!.replace('AccountSid=acctid', `AccountSid=${twilio.accountSid}`);
  const post = (body: string, signature?: string) =>
    t.app.http.inject({
      method: 'POST',
      url: `/webhooks/sms/${channelId}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature':
          signature ?? twilioSignature(twilio.authToken, hookUrl, new URLSearchParams(body)),
      },
      payload: body,
    });

  it('takes a real inbound SMS into a case, refuses a forged one, and replies to the sender', async () => {
    const body = form('receiveValid');
    const forged = await post(
      body,
      twilioSignature('guessed-token', hookUrl, new URLSearchParams(body)),
    );
    expect(forged.statusCode).toBe(403);
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(res.body).toContain('<Response>');
    // A re-delivery is stored once.
    expect((await post(body)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .selectAll()
      .where('channel', '=', 'sms')
      .where('external_id', '=', 'SMe287d7109a5a925f182f0e07fe5b223b')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      direction: 'in',
      channel_id: channelId,
      author_address: '+14133881111',
      text: 'Msg',
    });
    const reply = await asAdmin(t, 'POST', `/api/v1/cases/${rows[0].case_id}/replies`, {
      text: 'Thanks, we are on it.',
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await t.app.outbox.runOnce();
    expect(twilio.sent.at(-1)).toMatchObject({ to: '+14133881111', from: '+12028831111' });

    // Twilio's status callback for that message: STOP (21610) fails it.
    const sid = twilio.sent.at(-1)!.sid;
    const stop = new URLSearchParams(form('statusStop'));
    stop.set('MessageSid', sid);
    expect((await post(stop.toString())).statusCode).toBe(200);
    const out = await db()
      .selectFrom('messages')
      .select('status')
      .where('external_id', '=', sid)
      .executeTakeFirstOrThrow();
    expect(out.status).toBe('failed');
  });

  it("refuses a validly signed webhook for another account's AccountSid, storing nothing", async () => {
    const other = new URLSearchParams(form('receiveValid'));
    other.set('AccountSid', `AC${'f'.repeat(32)}`);
    other.set('MessageSid', `SM${'2'.repeat(32)}`);
    const res = await post(other.toString());
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/AccountSid ACf+ is not this channel's account/);
    const ours = new URLSearchParams(other);
    ours.set('AccountSid', twilio.accountSid);
    expect((await post(ours.toString())).statusCode).toBe(200);
    const rows = await db()
      .selectFrom('inbound_events')
      .select('external_id')
      .where('external_id', '=', `SM${'2'.repeat(32)}`)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps MMS media as attachments and ignores WhatsApp senders', async () => {
    // The upstream fixtures reuse one MessageSid; a second message needs its own.
    const mms = new URLSearchParams(form('receiveMedia'));
    for (const k of ['MessageSid', 'SmsMessageSid', 'SmsSid']) mms.set(k, `MM${'1'.repeat(32)}`);
    expect((await post(mms.toString())).statusCode).toBe(200);
    const wa = form('waReceiveValid');
    expect((await post(wa)).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const media = await db()
      .selectFrom('messages')
      .select(['attachments_json', 'author_address'])
      .where('channel', '=', 'sms')
      .where('attachments_json', '!=', '[]')
      .execute();
    expect(media).toHaveLength(1);
    expect(JSON.parse(media[0].attachments_json).map((a: { url: string }) => a.url)).toEqual([
      'cat.jpg',
      'dog.jpg',
    ]);
    const fromWa = await db()
      .selectFrom('messages')
      .select('id')
      .where('author_address', 'like', 'whatsapp:%')
      .execute();
    expect(fromWa).toHaveLength(0);
  });
});
