import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { checkXLength } from '../channels/x/x.sender.js';
import { notifyHandler } from './notify.handler.js';

/**
 * A provider that refuses a notification for good (X will not take the message) is not the end
 * of it: the customer's other identities are tried, in the fallback order, before the customer
 * counts as unreachable.
 */
describe.each(ENGINES)('a notification after a permanent refusal on %s', (engine) => {
  let t: TestApp;
  let n = 0;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });
  const db = () => t.app.database.db;
  const api = async (method: 'POST', url: string, payload: unknown) => {
    const res = await t.app.http.inject({
      method,
      url,
      headers: t.auth,
      payload: payload as never,
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };

  /** A customer who complained on X (and gave their e-mail, if any); their problem is then fixed. */
  async function fixedFor(email: string | null) {
    const m = aMessage({ channel: 'x', author: { id: `x-fallback-${++n}` }, text: 'no signal' });
    await api('POST', '/api/v1/inbound', m);
    await t.app.pipeline.drain();
    const msg = await db()
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    if (email)
      await api('POST', `/api/v1/customers/${msg.customer_id}/identities`, {
        channel: 'email',
        address: email,
        verified: true,
      });
    const p = await api('POST', '/api/v1/problems', { caseId: msg.case_id, topic: 'network' });
    await api('POST', `/api/v1/problems/${p.id}/status`, { status: 'fixed' });
    const row = await db()
      .selectFrom('outbox')
      .select(['id', 'payload_json', 'idempotency_key'])
      .where('kind', '=', 'notify_customer')
      .where('payload_json', 'like', `%${msg.case_id}%`)
      .executeTakeFirstOrThrow();
    const notification = () =>
      db()
        .selectFrom('problem_notifications')
        .select(['status', 'channel', 'address', 'error'])
        .where('case_id', '=', msg.case_id!)
        .executeTakeFirstOrThrow();
    return { row, notification, author: m.author.id };
  }

  /** Runs the real notify handler once on the outbox row, with these senders. */
  const deliverWith = (
    senders: Map<string, Sender>,
    row: { id: string; payload_json: string; idempotency_key: string },
  ) =>
    notifyHandler({ database: t.app.database, senders, clock: Date.now })(
      JSON.parse(row.payload_json),
      row.idempotency_key,
      { id: row.id, workspaceId: t.app.workspace.workspaceId, attempt: 1 },
    );

  const refuses: Sender = async () => {
    throw new ConnectorError('permission_missing', 'the user does not accept messages');
  };

  it('X refuses for good: the customer hears it by e-mail', async () => {
    const { row, notification } = await fixedFor('fallback-1@example.org');
    const emailed: OutboundMessage[] = [];
    const email: Sender = async (msg) => {
      emailed.push(msg);
      return { externalId: `<${msg.messageId}@example.org>` };
    };
    await deliverWith(
      new Map([
        ['x', refuses],
        ['email', email],
      ]),
      row,
    );
    expect(emailed.map((m) => m.to)).toEqual(['fallback-1@example.org']);
    // Marked as the system's own message, which human-reply rules do not cover.
    expect(emailed[0].automated).toBe(true);
    const after = await notification();
    expect(after).toMatchObject({
      status: 'sent',
      channel: 'email',
      address: 'fallback-1@example.org',
    });
    expect(after.error).toContain('x: permission_missing');
  });

  it("the customer's other case of the problem is tried when their latest has no working route", async () => {
    // On X in public first, then by e-mail (the same customer, identified by the address).
    const author = { id: `x-twocases-${++n}` };
    const email = `twocases-${n}@example.org`;
    const mention = aMessage({ channel: 'x', author, text: 'no signal since this morning' });
    await api('POST', '/api/v1/inbound', mention);
    await t.app.pipeline.drain();
    const x = await db()
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('external_id', '=', mention.externalId)
      .executeTakeFirstOrThrow();
    await api('POST', `/api/v1/customers/${x.customer_id}/identities`, {
      channel: 'email',
      address: email,
      verified: true,
    });
    const mail = aMessage({
      channel: 'email',
      visibility: 'private',
      author: { id: email },
      text: 'still no signal, see my tweet',
      // Days later, past the threading window: a case of its own.
      sentAt: new Date(Date.parse(mention.sentAt) + 3 * 86_400_000).toISOString(),
    });
    await api('POST', '/api/v1/inbound', mail);
    await t.app.pipeline.drain();
    const m = await db()
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('external_id', '=', mail.externalId)
      .executeTakeFirstOrThrow();
    expect(m.customer_id).toBe(x.customer_id);
    expect(m.case_id).not.toBe(x.case_id);
    const p = await api('POST', '/api/v1/problems', { caseId: x.case_id, topic: 'network' });
    await api('POST', `/api/v1/problems/${p.id}/links`, { link: [m.case_id] });
    await api('POST', `/api/v1/problems/${p.id}/status`, { status: 'fixed' });
    const rows = await db()
      .selectFrom('outbox')
      .select(['id', 'payload_json', 'idempotency_key'])
      .where('kind', '=', 'notify_customer')
      .where('payload_json', 'like', `%${m.case_id}%`)
      .execute();
    // One notification for the customer, on their latest case (the e-mail one).
    expect(rows).toHaveLength(1);
    const sent: OutboundMessage[] = [];
    // X takes public replies but refuses DMs; no mailbox is configured.
    const x2: Sender = async (msg) => {
      if (msg.visibility === 'private')
        throw new ConnectorError('permission_missing', 'the user does not accept DMs');
      sent.push(msg);
      return { externalId: `x-${msg.messageId}` };
    };
    await deliverWith(new Map([['x', x2]]), rows[0]);
    expect(sent.map((s) => [s.visibility, s.caseId])).toEqual([['public', x.case_id]]);
    const after = await db()
      .selectFrom('problem_notifications')
      .select(['status', 'channel'])
      .where('case_id', '=', m.case_id!)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'sent', channel: 'x' });
  });

  it('every route refuses for good: failed, with each refusal recorded', async () => {
    const { row, notification } = await fixedFor('fallback-2@example.org');
    await expect(
      deliverWith(
        new Map([
          ['x', refuses],
          ['email', refuses],
        ]),
        row,
      ),
    ).rejects.toThrow(ConnectorError);
    const after = await notification();
    expect(after.status).toBe('failed');
    expect(after.error).toContain('x: permission_missing');
    expect(after.error).toContain('email: permission_missing');
  });

  it('X refuses a public reply that is too long: the same handle gets it by DM', async () => {
    const { row, notification, author } = await fixedFor(null);
    const sent: OutboundMessage[] = [];
    const x: Sender = async (out) => {
      // The real length rule of our X sender, on a text made long for the test.
      checkXLength(`${out.text} ${'x'.repeat(300)}`, out.visibility);
      sent.push(out);
      return { externalId: `x-${out.messageId}` };
    };
    await deliverWith(new Map([['x', x]]), row);
    expect(sent.map((s) => [s.visibility, s.to])).toEqual([['private', author]]);
    const after = await notification();
    expect(after).toMatchObject({ status: 'sent', channel: 'x' });
    expect(after.error).toContain('x: bad_request');
  });
});
