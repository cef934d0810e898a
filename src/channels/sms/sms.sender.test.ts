import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMessage,
  asAdmin,
  caseFromMessage,
  messageRow,
  retryNow,
  sendRowOf,
  type TestApp,
  testApp,
} from '../../../test/builders.js';
import { postChannel } from '../../../test/fakes/channels.js';
import { FakeTwilio, twilioError } from '../../../test/fakes/twilio.js';
import { ENGINES } from '../../../test/support/engines.js';
import { captureLogs } from '../../../test/support/logs.js';
import { fromTwilioError } from './sms.errors.js';
import { smsRecipient } from './sms.sender.js';

describe('sms addresses', () => {
  it('sends numbers in E.164 and leaves what is no number for Twilio to judge', () => {
    expect(smsRecipient('+1 (415) 555-0122', '+14155550100')).toBe('+14155550122');
    expect(smsRecipient('tel:+44 20 7946 0958', '+14155550100')).toBe('+442079460958');
    expect(smsRecipient('not-a-number', '+14155550100')).toBe('not-a-number');
  });

  it('reads a number without a country code in the country of our number', () => {
    expect(smsRecipient('(415) 555-0122', '+14155550100')).toBe('+14155550122');
    expect(smsRecipient('07911 123456', '+442079460000')).toBe('+447911123456');
    // The same national number means nothing from a US number: it goes as written.
    expect(smsRecipient('07911 123456', '+14155550100')).toBe('07911 123456');
  });
});

describe('Twilio errors in the connector taxonomy', () => {
  const body = (code: number, status: number) =>
    JSON.stringify({ code, message: 'm', more_info: 'u', status });
  it('refuses unsubscribed and unreachable recipients for good, waits out rate limits', () => {
    expect(fromTwilioError(400, body(21610, 400), null, 0).kind).toBe('permission_missing');
    expect(fromTwilioError(400, body(21614, 400), null, 0).kind).toBe('bad_request');
    expect(fromTwilioError(429, body(20429, 429), '3', 0)).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3000,
    });
    expect(fromTwilioError(502, '<html>bad gateway</html>', null, 0).kind).toBe('temporary');
    expect(fromTwilioError(403, body(20008, 403), null, 0).kind).toBe('permission_missing');
  });

  it('lets Twilio codes decide over the status, and the status decide the rest', () => {
    // 20003 on a 403 is still a credentials problem; 20429 without a 429 still a rate limit.
    expect(fromTwilioError(403, body(20003, 403), null, 0).kind).toBe('auth_revoked');
    expect(fromTwilioError(400, body(20429, 400), null, 0).kind).toBe('rate_limited');
    // A recipient code on a 5xx does not make a passing outage permanent.
    expect(fromTwilioError(503, body(21211, 503), null, 0).kind).toBe('temporary');
    expect(fromTwilioError(401, 'Unauthorized', null, 0).kind).toBe('auth_revoked');
    expect(fromTwilioError(404, body(20404, 404), null, 0).kind).toBe('bad_request');
    expect(fromTwilioError(400, body(21610, 400), null, 0).message).toBe(
      'Twilio 400/21610 (the recipient replied STOP: they unsubscribed from this number): m',
    );
  });

  it('reads Retry-After as seconds or an HTTP-date, and ignores it when absent', () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    expect(
      fromTwilioError(429, body(20429, 429), 'Tue, 01 Dec 2026 12:00:45 GMT', now).retryAfterMs,
    ).toBe(45_000);
    expect(fromTwilioError(429, body(20429, 429), null, now).retryAfterMs).toBeUndefined();
  });
});

describe.each(ENGINES)('SMS channel (Twilio-style) on %s', (engine) => {
  let t: TestApp;
  let twilio: FakeTwilio;
  const logs = captureLogs();
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    t = await testApp(engine, {}, { logger: logs.logger });
    const res = await postChannel(t, twilio.channelPayload('+14155550100'));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(twilio.authToken);
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });
  const db = () => t.app.database.db;

  /** An agent's reply to a new case of `from`, through the API; the response as it came. */
  const post = async (from: string, text: string) => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: from },
      text: 'No signal at home since yesterday',
      sentAt: new Date().toISOString(),
    });
    const caseId = await caseFromMessage(t, m);
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, { text });
    return Object.assign(res, { caseId });
  };
  const reply = async (from: string, text: string) => {
    const res = await post(from, text);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('posts To, From and Body with basic auth and keeps the sid as the external id', async () => {
    const id = await reply(
      '+1 (212) 555-0147',
      'A mast was repaired at 10:05; signal should be back.',
    );
    await t.app.outbox.runOnce();
    const req = twilio.server.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(req.body);
    expect(Object.fromEntries(form)).toEqual({
      To: '+12125550147',
      From: '+14155550100',
      Body: 'A mast was repaired at 10:05; signal should be back.',
    });
    const sent = twilio.sent.at(-1)!;
    const msg = await messageRow(db(), id);
    expect(msg.status).toBe('sent');
    expect(msg.external_id).toBe(sent.sid);
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('retries 429 and 5xx, then delivers; fails at once on 21211 with the reason', async () => {
    const id = await reply('+12125550148', 'Update: fixed.');
    twilio.script(
      { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '7' } },
      twilioError(503, 20500, 'Service unavailable'),
    );
    const t0 = Date.now();
    await t.app.outbox.runOnce();
    let row = await sendRowOf(db(), id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^rate_limited: Twilio 429\/20429/);
    // Retry-After is honoured (7 s), not the 2 s first back-off.
    expect(Number(row.next_attempt_at) - t0).toBeGreaterThanOrEqual(6_500);
    await retryNow(db(), row.id);
    await t.app.outbox.runOnce();
    row = await sendRowOf(db(), id);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^temporary: Twilio 503/);
    await retryNow(db(), row.id);
    await t.app.outbox.runOnce();
    expect((await sendRowOf(db(), id)).status).toBe('delivered');
    expect((await messageRow(db(), id)).external_id).toBe(twilio.sent.at(-1)!.sid);

    // A customer whose number is not a phone number (the fake applies Twilio's 21211 rule).
    const bad = await reply('not-a-number', 'Update: fixed.');
    await t.app.outbox.runOnce();
    row = await sendRowOf(db(), bad);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/^bad_request: Twilio 400\/21211.*not a valid phone number/);
    expect((await messageRow(db(), bad)).status).toBe('failed');
  });

  it('refuses a body longer than Twilio takes, counted as Twilio does, when the agent sends it', async () => {
    const before = twilio.server.requests.length;
    // 1,000 code points, but 2,000 UTF-16 units in UCS-2: Twilio would refuse it (21617).
    const text = '😀'.repeat(1000);
    const res = await post('+12125550150', text);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'too_long',
      message: expect.stringMatching(/^an SMS holds at most 1600 .* has 2000 \(it goes as UCS-2/),
      details: { rule: 'sms_length', channel: 'sms', kind: 'bad_request' },
    });
    // Nothing stored or queued: the case shows no reply that never was.
    const out = await db()
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', res.caseId)
      .where('direction', '=', 'out')
      .execute();
    expect(out).toEqual([]);
    // The sender refuses it too, before calling Twilio (a reply queued before this check).
    const send = t.app.senders.get('sms')!;
    await expect(
      send(
        {
          messageId: 'm-long',
          caseId: res.caseId,
          channel: 'sms',
          channelId: null,
          to: '+12125550150',
          inReplyTo: null,
          visibility: 'private',
          text,
        },
        'send_message:m-long',
      ),
    ).rejects.toMatchObject({ kind: 'bad_request', rule: 'sms_length' });
    expect(twilio.server.requests.length).toBe(before);
  });

  it('marks the channel unauthorised on 20003 and never shows the auth token', async () => {
    const real = twilio.authToken;
    twilio.authToken = 'rotated-token';
    // The gateway puts the stored token it refused into its answer: the worst case to hide.
    twilio.echoCredentials = true;
    try {
      const id = await reply('+12125550149', 'Update: fixed.');
      await t.app.outbox.runOnce();
      const row = await sendRowOf(db(), id);
      expect(row.status).toBe('failed');
      expect(row.last_error).toBe(
        `auth_revoked: Twilio 401/20003: Authenticate: refused ${twilio.accountSid}:***`,
      );
      // The failure is logged with Twilio's status and code, without its words (the echo).
      const failed = logs
        .lines()
        .filter((l) => l.msg === 'outbox delivery failed' && l.outboxId === row.id);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ giveUp: true, error: 'auth_revoked: Twilio 401/20003' });
      expect(logs.text()).not.toContain(real);
      const list = await asAdmin(t, 'GET', '/api/v1/channels');
      const chId = list.json().channels.find((c: { kind: string }) => c.kind === 'sms').id;
      const one = await asAdmin(t, 'GET', `/api/v1/channels/${chId}`);
      expect(one.json().health).toMatchObject({
        status: 'auth_revoked',
        lastError: row.last_error,
      });
      for (const body of [one.body, list.body]) expect(body).not.toContain(real);
    } finally {
      twilio.authToken = real;
      twilio.echoCredentials = false;
    }
    const list = await asAdmin(t, 'GET', '/api/v1/channels');
    const chId = list.json().channels.find((c: { kind: string }) => c.kind === 'sms').id;
    const test = await asAdmin(t, 'POST', `/api/v1/channels/${chId}/test`);
    expect(test.json()).toMatchObject({ ok: true, account: { accountSid: twilio.accountSid } });
  });
});
