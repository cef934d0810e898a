import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { postChannel } from '../../test/fakes/channels.js';
import { FBA, MetaHarness } from '../../test/fakes/meta-harness.js';
import { hasSharedData } from '../../test/fakes/shared-data.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { ENGINES } from '../../test/support/engines.js';
import { apiPost } from '../../test/support/suite.js';
import { SMS_MAX, smsLength } from '../channels/sms/sms.length.js';
import { patchProblemSettings } from '../problems/test-world.js';
import { inboundThroughApi } from './test-world.js';

/**
 * A status update the API takes (up to 2,000 characters) in its template is longer than an SMS
 * (1,600) or a Messenger message (2,000) holds. Every such customer used to end `failed` ("an SMS
 * holds at most 1600 …"), the error saying the provider refused it. Now the notice goes as
 * consecutive messages cut at sentence boundaries, each within the channel's limit.
 */
const sentence = (i: number) => `Step ${i} of the refund run finished for every account we found.`;
/** A body of whole sentences, just under the API's 2,000 characters. */
const LONG_BODY = Array.from({ length: 31 }, (_, i) => sentence(i + 1)).join(' ');

const PART_MARK = / \((\d+)\/(\d+)\)$/;
/** The parts' words joined again, their "(k/n)" marks taken off. */
const joined = (parts: string[]) => parts.map((p) => p.replace(PART_MARK, '')).join(' ');

describe.each(ENGINES)('a long notice by SMS on %s', (engine) => {
  let t: TestApp;
  let twilio: FakeTwilio;
  let sms: { id: string; webhookUrl: string };
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    t = await testApp(engine);
    const res = await postChannel(t, twilio.channelPayload('+14155550100'));
    expect(res.statusCode, res.body).toBe(201);
    sms = res.json();
    const held = await patchProblemSettings(t, { noticeHoldMinutes: 0, noticeGapMinutes: 0 });
    expect(held.statusCode, held.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });
  const deliverAll = async () => {
    while ((await t.app.outbox.runOnce()) > 0) {}
  };

  it('goes as two SMS cut at a sentence, each within 1,600 characters', async () => {
    expect(LONG_BODY.length).toBeLessThanOrEqual(2000);
    const phone = `+1415556${engine === 'sqlite' ? 1 : 2}001`;
    const msg = await inboundThroughApi(
      t,
      aMessage({ channel: 'sms', visibility: 'private', author: { id: phone }, text: 'refund?' }),
    );
    const p = await apiPost(t, '/api/v1/problems', {
      caseId: msg.case_id,
      title: 'Double charges',
      topic: 'billing',
    });
    await apiPost(t, `/api/v1/problems/${p.id}/status`, { status: 'fixed', body: LONG_BODY });
    await deliverAll();

    const [n] = (
      await (
        await t.app.http.inject({
          method: 'GET',
          url: `/api/v1/problems/${p.id}/notifications`,
          headers: t.auth,
        })
      ).json()
    ).items;
    expect(n).toMatchObject({ status: 'sent', channel: 'sms', error: null });
    expect(smsLength(n.text).units).toBeGreaterThan(SMS_MAX);
    const bodies = twilio.sent.filter((s) => s.to === phone).map((s) => s.body);
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(smsLength(b).units).toBeLessThanOrEqual(SMS_MAX);
    expect(bodies.map((b) => PART_MARK.exec(b)?.slice(1))).toEqual([
      ['1', '2'],
      ['2', '2'],
    ]);
    // Cut after a sentence, and nothing lost or repeated.
    expect(bodies[0].replace(PART_MARK, '')).toMatch(/\.$/);
    expect(joined(bodies)).toBe(n.text);
    // Both parts are on the case, as the customer got them.
    const out = await t.app.database.db
      .selectFrom('messages')
      .select(['text', 'external_id'])
      .where('case_id', '=', msg.case_id)
      .where('author_address', '=', 'system:problems')
      .orderBy('sent_at')
      .orderBy('id')
      .execute();
    expect(out.map((o) => o.text).sort()).toEqual([...bodies].sort());

    // Twilio reports the second part undelivered later: the notice reached no one whole.
    const sid = twilio.sent.filter((s) => s.to === phone)[1].sid;
    const cb = await twilio.statusCallback(t.app, sms, sid, 'undelivered', '30003');
    expect(cb.statusCode).toBe(200);
    await deliverAll();
    const after = await t.app.database.db
      .selectFrom('problem_notifications')
      .select(['status', 'error'])
      .where('case_id', '=', msg.case_id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('failed');
    expect(after.error).toContain('30003');
  });
});

describe.runIf(hasSharedData(FBA)).each(ENGINES)('a long notice on Messenger, on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);

  it('goes as consecutive messages of at most 2,000 characters', async () => {
    const held = await patchProblemSettings(h.t, { noticeHoldMinutes: 0, noticeGapMinutes: 0 });
    expect(held.statusCode, held.body).toBe(200);
    const [psid, caseId] = await h.messengerFrom(h.ch, Date.now() - 60_000);
    const p = await apiPost(h.t, '/api/v1/problems', {
      caseId,
      title: 'Double charges',
      topic: 'billing',
    });
    await apiPost(h.t, `/api/v1/problems/${p.id}/status`, { status: 'fixed', body: LONG_BODY });
    while ((await h.t.app.outbox.runOnce()) > 0) {}

    const n = await h
      .db()
      .selectFrom('problem_notifications')
      .select(['status', 'channel', 'text', 'error'])
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(n).toMatchObject({ status: 'sent', channel: 'facebook', error: null });
    expect([...n.text].length).toBeGreaterThan(2000);
    const texts = h.fake.sent
      .filter((s) => (s.body.recipient as { id?: string } | undefined)?.id === psid)
      .map((s) => (s.body.message as { text: string }).text);
    expect(texts).toHaveLength(2);
    for (const x of texts) expect([...x].length).toBeLessThanOrEqual(2000);
    expect(joined(texts)).toBe(n.text);
  });
});
