import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { createChannel, postChannel } from '../../test/fakes/channels.js';
import { FakeSmtp } from '../../test/fakes/smtp.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { ENGINES } from '../../test/support/engines.js';
import { apiPost } from '../../test/support/suite.js';
import { ProblemWorker } from '../problems/problem.worker.js';
import { patchProblemSettings } from '../problems/test-world.js';
import { inboundThroughApi } from './test-world.js';

const HOUR = 3_600_000;

/**
 * A fix notice Twilio took and then reported undelivered (a status callback `undelivered`,
 * 30006: a landline) told no one. It used to count as sent, and the case resolved quietly after
 * the quiet period. Now the notification says it failed and why, the customer's next route is
 * tried as when the send itself is refused, and with none left the case goes back to the desk.
 */
describe.each(ENGINES)('a notice the provider reports undelivered later, on %s', (engine) => {
  let t: TestApp;
  let twilio: FakeTwilio;
  let smtp: FakeSmtp;
  let sms: { id: string; webhookUrl: string };
  let k = 0;
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    smtp = await new FakeSmtp().start();
    t = await testApp(engine);
    const res = await postChannel(t, twilio.channelPayload('+14155550100'));
    expect(res.statusCode, res.body).toBe(201);
    sms = res.json();
    await createChannel(t, {
      kind: 'email',
      name: 'Care',
      config: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'care@kestrel.example' },
      secrets: {},
    });
    // The outbox runs on the wall clock: notices go at once (holds are flap.test.ts's).
    const held = await patchProblemSettings(t, { noticeHoldMinutes: 0, noticeGapMinutes: 0 });
    expect(held.statusCode, held.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
    await smtp?.close();
  });
  const db = () => t.app.database.db;
  const get = async (url: string) =>
    (await t.app.http.inject({ method: 'GET', url, headers: t.auth })).json();
  const deliverAll = async () => {
    while ((await t.app.outbox.runOnce()) > 0) {}
  };
  /** Twilio's signed status callback for a message it was sent. */
  const statusCallback = (sid: string) =>
    twilio.statusCallback(t.app, sms, sid, 'undelivered', '30006');

  /** An SMS customer's billing complaint (their e-mail added, if given), made a problem and fixed. */
  async function fixedBySms(email?: string) {
    const phone = `+1415555${engine === 'sqlite' ? 1 : 2}${String(++k).padStart(3, '0')}`;
    const msg = await inboundThroughApi(
      t,
      aMessage({
        channel: 'sms',
        visibility: 'private',
        author: { id: phone },
        text: 'I was charged twice this month',
      }),
    );
    if (email)
      await apiPost(t, `/api/v1/customers/${msg.customer_id}/identities`, {
        channel: 'email',
        address: email,
        verified: true,
      });
    const p = await apiPost(t, '/api/v1/problems', {
      caseId: msg.case_id,
      title: 'Double charges',
      topic: 'billing',
    });
    await apiPost(t, `/api/v1/problems/${p.id}/status`, {
      status: 'fixed',
      body: 'Refunds issued.',
    });
    await deliverAll();
    const sent = twilio.sent.filter((s) => s.to === phone);
    expect(sent).toHaveLength(1);
    const items = async () => (await get(`/api/v1/problems/${p.id}/notifications`)).items;
    expect(await items()).toMatchObject([{ status: 'sent', channel: 'sms' }]);
    return {
      problemId: p.id as string,
      caseId: msg.case_id!,
      customerId: msg.customer_id!,
      phone,
      sid: sent[0].sid,
      items,
    };
  }

  it('with no other route: failed with the reason, the case back at the desk, never resolved quietly', async () => {
    const { problemId, caseId, sid, items } = await fixedBySms();
    expect((await statusCallback(sid)).statusCode).toBe(200);
    await deliverAll();

    const [n] = await items();
    expect(n.status).toBe('failed');
    expect(n.error).toContain('30006');
    expect(n.error).toContain('the number is a landline');
    expect((await get(`/api/v1/problems/${problemId}`)).notifications).toEqual({ failed: 1 });
    // The case says the notice failed, as for every failed message, and why.
    const c = await get(`/api/v1/cases/${caseId}`);
    const failed = c.history.filter((h: { type: string }) => h.type === 'reply_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ error: 'failed_after_sent', providerCode: '30006' });
    expect(c.status).toBe('open');
    expect(c.statusReason).toBe('customer_not_notified');

    // Past the quiet period: still at the desk.
    const worker = new ProblemWorker({
      database: t.app.database,
      clock: () => Date.now() + 25 * HOUR,
    });
    await worker.runOnce();
    const after = await db()
      .selectFrom('cases')
      .select(['status', 'status_reason'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'open', status_reason: 'customer_not_notified' });
  });

  it("the customer's e-mail is tried next, and the case waits on them as before", async () => {
    const email = `landline-${engine}@example.org`;
    const { caseId, customerId, phone, sid, items } = await fixedBySms(email);
    expect((await statusCallback(sid)).statusCode).toBe(200);
    // Queued again at once: the quiet period does not resolve the case meanwhile.
    expect((await items())[0].status).toBe('queued');
    await deliverAll();

    const [n] = await items();
    expect(n).toMatchObject({ status: 'sent', channel: 'email', address: email });
    expect(n.error).toContain('30006');
    expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    const c = await get(`/api/v1/cases/${caseId}`);
    expect(c.status).toBe('pending');
    // A second callback for the same message changes nothing more.
    expect((await statusCallback(sid)).statusCode).toBe(200);
    await deliverAll();
    expect((await items())[0]).toMatchObject({ status: 'sent', channel: 'email' });
    expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(1);

    // The new delivery names the failed route (the number): erased with the customer.
    const payload = async () =>
      (
        await db()
          .selectFrom('outbox')
          .select('payload_json')
          .where('idempotency_key', 'like', `%${caseId}:failed:%`)
          .executeTakeFirstOrThrow()
      ).payload_json;
    expect(await payload()).toContain(phone);
    await apiPost(t, `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(await payload()).not.toContain(phone);
  });
});
