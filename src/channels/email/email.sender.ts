import addressparser from 'nodemailer/lib/addressparser';
import { recordError, recordSuccess } from '../channel.state.js';
import { ChannelCache, rowsWithState } from '../channel.store.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { OutboundMessage, Sender } from '../sender.js';
import { fromSmtpError } from './email.errors.js';
import { MailerPool, type SmtpChannel } from './email.pool.js';
import { canSendEmail } from './email.records.js';
import { replyReferences } from './email.references.js';
import { canSend, type EmailConfig, type EmailSecrets } from './email.types.js';

/** The domain of the sender address, for our Message-IDs (RFC 5322 §3.6.4: id-left@id-right). */
export function senderDomain(from: string): string {
  const parsed = addressparser(from, { flatten: true });
  const address = parsed[0] && 'address' in parsed[0] ? parsed[0].address : '';
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && domain ? domain : 'throughline.invalid';
}

/** A message id as it appears in headers: `<…>`. Inbound ids may have been stored without. */
export function angle(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t : `<${t}>`;
}

/** `Re: <subject>` once, whatever the customer's client already put in front. */
export function replySubject(subject: string | null | undefined): string {
  const s = (subject ?? '').replace(/\s+/g, ' ').trim();
  if (!s) return 'Update on your request';
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}

/** The case's subject and, when the route names none, the customer's latest email there. */
async function threadOf(deps: ChannelDeps, msg: OutboundMessage) {
  const c = await deps.db
    .selectFrom('cases')
    .select(['subject'])
    .where('workspace_id', '=', deps.workspaceId)
    .where('id', '=', msg.caseId)
    .executeTakeFirst();
  let parent = msg.inReplyTo;
  if (!parent) {
    const last = await deps.db
      .selectFrom('messages')
      .select(['external_id'])
      .where('workspace_id', '=', deps.workspaceId)
      .where('case_id', '=', msg.caseId)
      .where('channel', '=', 'email')
      .where('direction', '=', 'in')
      .where('author_address', '=', msg.to)
      .orderBy('sent_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    parent = last?.external_id ?? null;
  }
  return {
    subject: c?.subject ?? null,
    parent,
    references: parent ? replyReferences(await referencesOf(deps, parent), angle(parent)) : [],
  };
}

/**
 * The References the parent mail carried (stored with it by email.parse.ts, in its inbound
 * event: the message row keeps no headers). None for a mail of ours, or one taken before they
 * were stored: the reply then names the parent alone, as it did before.
 */
async function referencesOf(deps: ChannelDeps, parent: string): Promise<string[]> {
  const row = await deps.db
    .selectFrom('inbound_events')
    .select('payload_json')
    .where('workspace_id', '=', deps.workspaceId)
    .where('channel', '=', 'email')
    .where('external_id', '=', parent)
    .executeTakeFirst();
  if (!row) return [];
  try {
    const refs = JSON.parse(row.payload_json)?.raw?.headers?.references;
    return Array.isArray(refs)
      ? refs.filter((r): r is string => typeof r === 'string').map(angle)
      : [];
  } catch {
    return [];
  }
}

/**
 * The record that sends a message: the one the message names (the mailbox the customer wrote to)
 * when it has an SMTP side, else the workspace's first enabled record that has one. A record that
 * only receives (IMAP) cannot answer, so its customers are answered from the sending mailbox.
 * The records are read as settings and only the chosen one's credentials come from `cache`,
 * decrypted again only once its stored row changed (a new password, by any node, is a new
 * ciphertext): a fix notifying thousands of customers by e-mail decrypts once, not per mail.
 */
export async function resolveSmtpChannel(
  deps: ChannelDeps,
  channelId: string | null,
  cache: ChannelCache = new ChannelCache(deps.secretKey),
): Promise<SmtpChannel | null> {
  const rows = await rowsWithState(deps.db, deps.workspaceId, 'email');
  // Disabled or deleted records leave the cache: their secrets do not stay in memory.
  cache.keepOnly(rows.map((r) => r.id));
  const sends = (r: (typeof rows)[number]) => canSend(JSON.parse(r.config_json) as EmailConfig);
  const row =
    rows.find((r) => r.id === channelId && sends(r)) ?? rows.find((r) => sends(r)) ?? null;
  return row ? (cache.record<EmailConfig, EmailSecrets>(row) as SmtpChannel) : null;
}

/**
 * Why no record can send: with receiving (IMAP-only) records the desk has an email channel, so
 * "none is configured" would send the admin looking for the wrong thing; it lacks SMTP settings.
 */
async function noSmtpReason(deps: ChannelDeps): Promise<string> {
  const receiving = await deps.db
    .selectFrom('channels')
    .select('id')
    .where('workspace_id', '=', deps.workspaceId)
    .where('kind', '=', 'email')
    .where('disabled_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return receiving
    ? 'no email channel can send: none has SMTP settings (host, port, from)'
    : 'no email channel is configured';
}

/**
 * Sends replies and notifications by SMTP from the channel's mailbox: `To` the customer's
 * address, `Subject` "Re: <case subject>", threaded with `In-Reply-To`/`References` on the
 * customer's message when we know it (References: theirs, then their Message-ID, bounded). SMTP has no idempotency key; instead our `Message-ID` is
 * derived from our message id, so a retry after a lost "250 OK" sends the same message id again
 * and mail clients (and the customer's server) can recognise the duplicate. The Message-ID is
 * returned as the external id, so the customer's answer (In-Reply-To it) threads back.
 */
export function emailSender(deps: ChannelDeps): Sender {
  const pool = new MailerPool();
  const cache = new ChannelCache(deps.secretKey);
  const send: Sender = async (msg) => {
    const ch = await resolveSmtpChannel(deps, msg.channelId, cache);
    // Not temporary (as for SMS): an admin must add a mailbox, retrying would only hide it.
    if (!ch) throw new ConnectorError('not_configured', await noSmtpReason(deps));
    const { subject, parent, references } = await threadOf(deps, msg);
    const messageId = `<${msg.messageId}@${senderDomain(ch.config.from)}>`;
    const mailer = pool.get(ch);
    try {
      await mailer.sendMail({
        from: ch.config.from,
        to: msg.to,
        subject: replySubject(subject),
        text: msg.text,
        messageId,
        ...(parent ? { inReplyTo: angle(parent), references } : {}),
      });
    } catch (err) {
      const ce = fromSmtpError(err, [ch.secrets.password]);
      // A refused recipient leaves the connection usable; a network or login failure does not.
      if (ce.kind === 'temporary' || ce.kind === 'unknown' || ce.kind === 'auth_revoked')
        pool.drop(ch.id);
      await recordError(deps.db, deps.workspaceId, ch.id, ce, deps.clock());
      throw ce;
    }
    // Outside the try: a failure to record health is not an SMTP failure.
    pool.idle(ch.id);
    await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
    return { externalId: messageId };
  };
  // Asked per customer by the notifier: settings only, no credentials decrypted.
  send.ready = () => canSendEmail(deps);
  send.configured = (db) => canSendEmail(deps, db);
  return send;
}
