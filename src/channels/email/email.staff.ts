import { createHash } from 'node:crypto';
import { recordError, recordSuccess } from '../channel.state.js';
import { ChannelCache } from '../channel.store.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import { fromSmtpError } from './email.errors.js';
import { MailerPool } from './email.pool.js';
import { resolveSmtpChannel, senderDomain } from './email.sender.js';

/** One mail to people of the desk (not a customer's case): an escalation to a team's lead. */
export interface StaffMail {
  to: string[];
  subject: string;
  text: string;
  /**
   * Stable for the event it reports, so a retry after a lost "250 OK" sends the same Message-ID
   * and the receiving server or client can drop the copy (SMTP has no idempotency key).
   */
  idempotencyKey: string;
}

/** What was sent; `refused`: recipients the server refused for good (the others got it). */
export type StaffMailer = (mail: StaffMail) => Promise<{ messageId: string; refused?: string[] }>;

/**
 * Sends mail to staff through the desk's own outgoing mail: the first enabled e-mail channel with
 * SMTP settings (the one that answers customers too), from its address. Nothing is threaded into
 * a case and nothing is recorded as a message: the mail is about a problem, and its delivery is
 * tracked by the escalation's outbox row. Errors are the channel's normalised ones (a refused
 * recipient is permanent, a dropped connection temporary), passwords scrubbed; no channel that
 * can send is `not_configured`.
 */
export function staffMailer(deps: ChannelDeps): StaffMailer {
  const pool = new MailerPool();
  const cache = new ChannelCache(deps.secretKey);
  return async (mail) => {
    const ch = await resolveSmtpChannel(deps, null, cache);
    if (!ch)
      throw new ConnectorError(
        'not_configured',
        'no email channel can send: add one with SMTP settings (host, port, from)',
      );
    const digest = createHash('sha256').update(mail.idempotencyKey).digest('hex').slice(0, 32);
    const messageId = `<escalation-${digest}@${senderDomain(ch.config.from)}>`;
    const mailer = pool.get(ch);
    let info: { rejected?: unknown[]; rejectedErrors?: unknown[] };
    try {
      info = await mailer.sendMail({
        from: ch.config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId,
        // Not a customer's conversation: auto-responders (out of office) should stay quiet.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (err) {
      const ce = fromSmtpError(err, [ch.secrets.password]);
      if (ce.kind === 'temporary' || ce.kind === 'unknown' || ce.kind === 'auth_revoked') {
        pool.drop(ch.id);
        // The channel's health is about reaching its server, not about one staff address.
        await recordError(deps.db, deps.workspaceId, ch.id, ce, deps.clock());
      }
      throw ce;
    }
    pool.idle(ch.id);
    await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
    // Some recipients refused, others taken (nodemailer throws only when all are refused): a
    // refusal for now is retried (those who got it get the same Message-ID again), one for good
    // is reported, so a lead's mailbox that refuses is not taken for delivered.
    const refused = (info.rejectedErrors ?? []).map((e) => fromSmtpError(e, [ch.secrets.password]));
    const rejected = (info.rejected ?? []).map(String);
    if (refused.some((e) => e.kind === 'temporary'))
      throw new ConnectorError('temporary', `refused for now for ${rejected.join(', ')}`);
    if (rejected.length > 0) return { messageId, refused: rejected };
    return { messageId };
  };
}
