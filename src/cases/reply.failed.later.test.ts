import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { ENGINES } from '../../test/support/engines.js';
import { twilioSignature } from '../channels/sms/sms.verify.js';
import { appendInbound } from '../ingest/inbound.log.js';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A reply the provider accepted and then failed (Twilio's status callback `failed`) reached
 * nobody either: the mark undoes what the reply settled, as the outbox's give-up does.
 */
describe.each(ENGINES)('a reply its provider fails after sending it, on %s', (engine) => {
  let t: TestApp;
  let twilio: FakeTwilio;
  let channelId: string;
  let hookUrl: string;
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    t = await testApp(engine);
    const res = await api('POST', '/api/v1/channels', twilio.channelPayload('+14155550100'));
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    hookUrl = res.json().webhookUrl;
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });
  const db = () => t.app.database.db;
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: t.auth, payload: payload as never });
  let phone = 300;
  const smsCase = async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1415555${String(phone++).padStart(4, '0')}` },
      sentAt: iso(Date.now() - 60_000),
    });
    await appendInbound(db(), t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const row = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    return row.case_id!;
  };
  const view = async (caseId: string) => (await api('GET', `/api/v1/cases/${caseId}`)).json();
  const sla = async (caseId: string) => (await api('GET', `/api/v1/cases/${caseId}/sla`)).json();
  const promise = async (id: string) =>
    (await api('GET', '/api/v1/promises?status=open,kept,broken'))
      .json()
      .items.find((p: { id: string }) => p.id === id);
  const drainOutbox = async () => {
    while ((await t.app.outbox.runOnce()) > 0) {}
  };
  /** Twilio's signed status callback for the last message it was sent. */
  const statusCallback = (status: string) => {
    const body = new URLSearchParams({
      MessageSid: twilio.sent.at(-1)!.sid,
      MessageStatus: status,
      ErrorCode: '30003',
      AccountSid: twilio.accountSid,
    });
    return t.app.http.inject({
      method: 'POST',
      url: `/webhooks/sms/${channelId}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(twilio.authToken, hookUrl, body),
      },
      payload: body.toString(),
    });
  };

  it('reopens the kept promise and the first response', async () => {
    const caseId = await smsCase();
    const p = await api('POST', `/api/v1/cases/${caseId}/promises`, {
      kind: 'follow_up',
      description: 'Text when the engineer is booked',
      dueAt: iso(Date.now() + 5 * H),
    });
    expect(p.statusCode, p.body).toBe(201);
    const promiseId = p.json().id as string;
    const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'Booked for Tuesday' });
    expect(r.statusCode, r.body).toBe(201);
    const sent = r.json() as { id: string };
    await drainOutbox();
    expect((await promise(promiseId)).status).toBe('kept');
    expect((await view(caseId)).firstResponseAt).not.toBeNull();

    const seen: { type: string }[] = [];
    const off = t.app.bus.subscribe((e) => seen.push(e));
    expect((await statusCallback('failed')).statusCode).toBe(200);
    off();
    const c = await view(caseId);
    expect(c.messages.find((m: { id: string }) => m.id === sent.id).status).toBe('failed');
    expect(await promise(promiseId)).toMatchObject({ status: 'open', settledAt: null });
    expect(c.firstResponseAt).toBeNull();
    expect((await sla(caseId)).clocks.first_response).toMatchObject({ metAt: null });
    const failed = c.history.filter((h: { type: string }) => h.type === 'reply_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({
      messageId: sent.id,
      promisesReopened: [promiseId],
      error: 'failed_after_sent',
      // Twilio's ErrorCode, and what it means for the agent.
      providerCode: '30003',
      why: 'Twilio failed (error 30003): the handset is unreachable (off, or out of coverage)',
    });
    expect(c.messages.find((m: { id: string }) => m.id === sent.id).failure).toEqual({
      error: 'failed_after_sent',
      providerCode: '30003',
      why: failed[0].data.why,
    });
    expect(seen.map((e) => e.type)).toContain('case.updated');

    // `undelivered` after `failed` moves nothing: undone once.
    expect((await statusCallback('undelivered')).statusCode).toBe(200);
    const again = (await view(caseId)).history.filter(
      (h: { type: string }) => h.type === 'reply_failed',
    );
    expect(again).toHaveLength(1);
  });

  it('undoes nothing for a survey failed later', async () => {
    const caseId = await smsCase();
    await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'Your line is reset' });
    await drainOutbox();
    const answered = (await view(caseId)).firstResponseAt;
    expect(answered).not.toBeNull();
    const res = await api('PATCH', `/api/v1/cases/${caseId}`, {
      status: 'resolved',
      reason: 'line reset',
    });
    expect(res.statusCode, res.body).toBe(200);
    await drainOutbox();
    expect((await statusCallback('undelivered')).statusCode).toBe(200);
    const c = await view(caseId);
    expect(c.messages.at(-1).status).toBe('failed');
    expect(c.firstResponseAt).toBe(answered);
    expect(c.history.map((h: { type: string }) => h.type)).not.toContain('reply_failed');
  });
});
