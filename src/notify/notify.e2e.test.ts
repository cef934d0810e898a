import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { createChannel } from '../../test/fakes/channels.js';
import { FakeSmtp } from '../../test/fakes/smtp.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { ENGINES } from '../../test/support/engines.js';
import { apiPost } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { patchProblemSettings } from '../problems/test-world.js';

/**
 * Closing the loop through the real email and SMS senders: customers who wrote by SMS, called,
 * emailed or used web chat are linked to one problem; marking it fixed notifies each through
 * the outbox: SMS via the fake Twilio, the caller by SMS to their number, the emailer by a reply
 * in their thread on a real SMTP server. The web-chat visitor has no other identity: refused
 * with the reason, not retried.
 */
describe.each(ENGINES)('problem notifications by email and SMS on %s', (engine) => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let twilio: FakeTwilio;
  let emailChannel: string;
  const customers = {
    sms: aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550301' } }),
    voice: aMessage({ channel: 'voice', visibility: 'private', author: { id: '+14155550302' } }),
    email: aMessage({
      channel: 'email',
      visibility: 'private',
      externalId: '<outage-42@mail.example.org>',
      author: { id: 'eve@example.org', name: 'Eve' },
    }),
    webchat: aMessage({
      channel: 'webchat',
      visibility: 'private',
      author: { id: 'wc-visitor-9' },
    }),
  } satisfies Record<string, InboundMessage>;

  beforeAll(async () => {
    smtp = await new FakeSmtp().start();
    twilio = await new FakeTwilio().start();
    t = await testApp(engine);
    emailChannel = await createChannel(t, {
      kind: 'email',
      name: 'Care',
      config: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'care@kestrel.example' },
      secrets: {},
    });
    await createChannel(t, twilio.channelPayload('+14155550100', 'Care SMS'));
    const now = new Date().toISOString();
    const msgs = Object.values(customers).map((m) => ({
      ...m,
      text: 'Internet down in 94110 since this morning',
      sentAt: now,
    }));
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, msgs, Date.now());
    await t.app.pipeline.drain();
    // The routes and senders are under test here, not the hold before a notice goes out or the
    // gap between two (flap.test.ts): the outbox runs on the wall clock, so notices go at once.
    const held = await patchProblemSettings(t, { noticeHoldMinutes: 0, noticeGapMinutes: 0 });
    expect(held.statusCode, held.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await twilio?.close();
  });
  const db = () => t.app.database.db;
  const api = (url: string, payload: unknown) => apiPost(t, url, payload);
  const caseOf = async (m: InboundMessage) =>
    (
      await db()
        .selectFrom('messages')
        .select('case_id')
        .where('channel', '=', m.channel)
        .where('external_id', '=', m.externalId)
        .executeTakeFirstOrThrow()
    ).case_id!;
  const deliverAll = async () => {
    while ((await t.app.outbox.runOnce()) > 0) {}
  };
  const notificationsOf = async (updateCount: number) => {
    const rows = await db()
      .selectFrom('problem_notifications')
      .select(['case_id', 'status', 'channel', 'address', 'error', 'update_id', 'created_at'])
      .orderBy('created_at')
      .execute();
    const updates = [...new Set(rows.map((r) => r.update_id))];
    expect(updates.length).toBe(updateCount);
    return new Map(
      rows.filter((r) => r.update_id === updates.at(-1)).map((r) => [r.case_id, r] as const),
    );
  };

  let problemId = '';
  let cases: Record<keyof typeof customers, string>;
  it('a fix reaches the SMS, voice and email customers through the real senders', async () => {
    cases = Object.fromEntries(
      await Promise.all(Object.entries(customers).map(async ([k, m]) => [k, await caseOf(m)])),
    ) as Record<keyof typeof customers, string>;
    const p = await api('/api/v1/problems', { caseId: cases.sms, title: 'Outage in 94110' });
    problemId = p.id;
    await api(`/api/v1/problems/${problemId}/links`, {
      link: [cases.voice, cases.email, cases.webchat],
    });
    const fixed = await api(`/api/v1/problems/${problemId}/status`, { status: 'fixed' });
    expect(fixed.notified).toBe(4);
    await deliverAll();

    const n = await notificationsOf(1);
    expect(n.get(cases.sms)).toMatchObject({
      status: 'sent',
      channel: 'sms',
      address: '+14155550301',
    });
    expect(n.get(cases.voice)).toMatchObject({
      status: 'sent',
      channel: 'sms',
      address: '+14155550302',
    });
    expect(n.get(cases.email)).toMatchObject({
      status: 'sent',
      channel: 'email',
      address: 'eve@example.org',
    });
    expect(n.get(cases.webchat)).toMatchObject({ status: 'undeliverable' });
    expect(n.get(cases.webchat)?.error).toMatch(/webchat: no sender is configured/);
    // The web-chat visitor was never told: their case goes back to the desk instead of
    // resolving unseen after the quiet period; the others wait on their customers.
    const status = async (id: string) =>
      (
        await db()
          .selectFrom('cases')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status(cases.webchat)).toBe('open');
    expect(await status(cases.sms)).toBe('pending');
    const why = await db()
      .selectFrom('case_events')
      .select('data_json')
      .where('case_id', '=', cases.webchat)
      .where('type', '=', 'status_changed')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(why.data_json)).toMatchObject({ to: 'open', problemId });

    const texts = new Map(twilio.sent.map((s) => [s.to, s.body]));
    expect([...texts.keys()].sort()).toEqual(['+14155550301', '+14155550302']);
    expect(texts.get('+14155550302')).toMatch(/Outage in 94110/);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['eve@example.org']);
    const mail = await simpleParser(smtp.received[0].raw);
    expect(mail.inReplyTo).toBe('<outage-42@mail.example.org>');
    expect(mail.subject).toMatch(/^Re: /);
    expect(mail.text).toMatch(/Outage in 94110/);
    // The sent notifications are on the cases, with the providers' ids.
    const out = await db()
      .selectFrom('messages')
      .select(['channel', 'external_id'])
      .where('direction', '=', 'out')
      .where('author_address', '=', 'system:problems')
      .execute();
    expect(out.map((o) => o.external_id).sort()).toEqual(
      [...twilio.sent.map((s) => s.sid), mail.messageId].sort(),
    );
  });

  it('with the mailbox disabled the emailer is refused at once, not retried', async () => {
    await db()
      .updateTable('channels')
      .set({ disabled_at: Date.now() })
      .where('id', '=', emailChannel)
      .execute();
    await api(`/api/v1/problems/${problemId}/status`, { body: 'Root cause: a cut fibre.' });
    await deliverAll();
    const n = await notificationsOf(2);
    const email = [...n.values()].find(
      (r) => r.case_id === undefined || r.error?.includes('email'),
    );
    expect(email).toMatchObject({ status: 'undeliverable' });
    expect(email?.error).toMatch(/email: no sender is configured/);
    expect(smtp.received).toHaveLength(1);
    expect(twilio.sent).toHaveLength(4);
    const pending = await db()
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .execute();
    expect(pending).toHaveLength(0);
  });
});
