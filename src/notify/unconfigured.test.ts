import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { DEMO_MESSAGE_PREFIX, enableDemoDelivery } from '../demo/demo.sender.js';
import { NOT_NOTIFIED } from './notify.handler.js';
import { fixedThroughApi, handleNotice, type NoticeRow } from './test-world.js';

/**
 * A notice to a customer on a channel kind the desk has no channel for (an SMS customer, no SMS
 * number configured) is not a temporary failure to retry for 24 hours: the customer's other
 * identities are tried, and with none the notice is undeliverable and the case goes back to the
 * desk, as past Meta's window. Also on the demo desk, whose senders answer for the simulated
 * customers only, and when the channel goes between routing and sending.
 */
describe.each(ENGINES)('a notice on a channel the desk has not configured on %s', (engine) => {
  const t = suiteApp(engine);
  let n = 0;
  const db = () => t.app.database.db;

  /** An SMS customer (a simulated one of the demo's, if `demo`) whose problem is then fixed. */
  async function fixedFor(opts: { email?: string; demo?: boolean } = {}) {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1555010${String(++n).padStart(4, '0')}` },
      text: 'no signal since this morning',
      ...(opts.demo ? { externalId: `${DEMO_MESSAGE_PREFIX}unconfigured-${n}` } : {}),
    });
    const { msg, row } = await fixedThroughApi(t, m, opts.email);
    const outcome = async () => ({
      notice: await db()
        .selectFrom('problem_notifications')
        .select(['status', 'channel', 'error'])
        .where('case_id', '=', msg.case_id!)
        .executeTakeFirstOrThrow(),
      case: await db()
        .selectFrom('cases')
        .select(['status', 'status_reason'])
        .where('id', '=', msg.case_id!)
        .executeTakeFirstOrThrow(),
    });
    return { row, outcome };
  }

  /** Runs the real notify handler once on the outbox row, with these senders. */
  const deliverWith = (senders: Map<string, Sender>, row: NoticeRow) =>
    handleNotice(t, senders, row);
  /** The app's real senders (no SMS number, no mailbox configured), as the demo desk wraps them. */
  const demoDesk = async (over: [string, Sender][] = []) => {
    // The demo flag as the loader stores it: the wrapper reads it (demoFlag).
    await db()
      .updateTable('workspaces')
      .set({ is_demo: 1 })
      .where('id', '=', t.app.workspace.workspaceId)
      .execute();
    const senders = new Map([...t.app.senders, ...over]);
    enableDemoDelivery(senders, db(), { workspaceId: t.app.workspace.workspaceId });
    return senders;
  };

  it('demo desk, a real SMS customer and no SMS channel: undeliverable, back to the desk', async () => {
    const { row, outcome } = await fixedFor();
    await deliverWith(await demoDesk(), row);
    const { notice, case: c } = await outcome();
    expect(notice.status).toBe('undeliverable');
    expect(notice.error).toContain('sms: no sender is configured');
    expect(c).toEqual({ status: 'open', status_reason: NOT_NOTIFIED });
    // The demo's own simulated customers are still answered by the demo.
    const demo = await fixedFor({ demo: true });
    await deliverWith(await demoDesk(), demo.row);
    expect((await demo.outcome()).notice).toMatchObject({ status: 'sent', channel: 'sms' });
  });

  it("demo desk: the customer's e-mail is tried when the desk has no SMS channel", async () => {
    const { row, outcome } = await fixedFor({ email: `unconfigured-${n}@example.org` });
    const mailed: OutboundMessage[] = [];
    const email: Sender = async (msg) => {
      mailed.push(msg);
      return { externalId: `<${msg.messageId}@example.org>` };
    };
    await deliverWith(await demoDesk([['email', email]]), row);
    expect(mailed).toHaveLength(1);
    expect((await outcome()).notice).toMatchObject({ status: 'sent', channel: 'email' });
  });

  it('the channel went between routing and sending: undeliverable, not retried for a day', async () => {
    const { row, outcome } = await fixedFor();
    // Ready when routed; by the send the number was removed, as the real sender then says.
    let asked = 0;
    const sms: Sender = async () => {
      throw new ConnectorError('temporary', 'no SMS channel is configured');
    };
    sms.ready = async () => ++asked === 1;
    await deliverWith(new Map([['sms', sms]]), row);
    const { notice, case: c } = await outcome();
    expect(notice.status).toBe('undeliverable');
    expect(c).toEqual({ status: 'open', status_reason: NOT_NOTIFIED });
  });

  it('a sender that says not_configured though ready: the e-mail is tried, then undeliverable', async () => {
    // `ready` answers yes (a channel record exists) but the send finds nothing to send with,
    // as a Meta record without the token it needs: no route, not the provider's refusal.
    const sms: Sender = async () => {
      throw new ConnectorError('not_configured', 'no SMS channel is configured');
    };
    sms.ready = async () => true;
    const mailed: OutboundMessage[] = [];
    const email: Sender = async (msg) => {
      mailed.push(msg);
      return { externalId: `<${msg.messageId}@example.org>` };
    };
    const withEmail = await fixedFor({ email: `unconfigured-${n}@example.org` });
    await deliverWith(
      new Map([
        ['sms', sms],
        ['email', email],
      ]),
      withEmail.row,
    );
    expect(mailed).toHaveLength(1);
    expect((await withEmail.outcome()).notice).toMatchObject({ status: 'sent', channel: 'email' });

    const alone = await fixedFor();
    await deliverWith(new Map([['sms', sms]]), alone.row);
    const { notice, case: c } = await alone.outcome();
    expect(notice.status).toBe('undeliverable');
    expect(notice.error).toContain('sms: no sender is configured');
    expect(c).toEqual({ status: 'open', status_reason: NOT_NOTIFIED });
  });
});
