import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { apiPost, suiteApp } from '../../test/support/suite.js';
import { ConnectorError, RuleError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { checkXLength } from '../channels/x/x.sender.js';
import { fixedThroughApi, handleNotice, inboundThroughApi, type NoticeRow } from './test-world.js';

/**
 * A provider that refuses a notification for good (X will not take the message) is not the end
 * of it: the customer's other identities are tried, in the fallback order, before the customer
 * counts as unreachable.
 */
describe.each(ENGINES)('a notification after a permanent refusal on %s', (engine) => {
  const t = suiteApp(engine);
  let n = 0;
  const db = () => t.app.database.db;

  /** A customer who complained on X (and gave their e-mail, if any); their problem is then fixed. */
  async function fixedFor(email: string | null) {
    const m = aMessage({ channel: 'x', author: { id: `x-fallback-${++n}` }, text: 'no signal' });
    const { msg, row } = await fixedThroughApi(t, m, email);
    const notification = () =>
      db()
        .selectFrom('problem_notifications')
        .select(['status', 'channel', 'address', 'error'])
        .where('case_id', '=', msg.case_id!)
        .executeTakeFirstOrThrow();
    return { row, notification, author: m.author.id };
  }

  /** Runs the real notify handler once on the outbox row, with these senders. */
  const deliverWith = (senders: Map<string, Sender>, row: NoticeRow) =>
    handleNotice(t, senders, row);

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
    const x = await inboundThroughApi(t, mention);
    await apiPost(t, `/api/v1/customers/${x.customer_id}/identities`, {
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
    const m = await inboundThroughApi(t, mail);
    expect(m.customer_id).toBe(x.customer_id);
    expect(m.case_id).not.toBe(x.case_id);
    const p = await apiPost(t, '/api/v1/problems', { caseId: x.case_id, topic: 'network' });
    await apiPost(t, `/api/v1/problems/${p.id}/links`, { link: [m.case_id] });
    await apiPost(t, `/api/v1/problems/${p.id}/status`, { status: 'fixed' });
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

  it("a refusal by the desk's own rule is not called the provider's", async () => {
    const { row, notification } = await fixedFor(null);
    let called = 0;
    // The sender's own rule refuses before any call (as an SMS too long for Twilio was).
    const x: Sender = async () => {
      called++;
      throw new RuleError('bad_request', 'too_long', 'x_dm_length', 'too long for an X message');
    };
    await expect(deliverWith(new Map([['x', x]]), row)).rejects.toThrow(ConnectorError);
    expect(called).toBeGreaterThan(0);
    const after = await notification();
    expect(after.status).toBe('failed');
    expect(after.error).toContain('x: bad_request: too long for an X message');
    expect(after.error).toContain("x: not sent: the desk's rule (x_dm_length) refused it");
    expect(after.error).not.toContain('refused by the provider');
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
