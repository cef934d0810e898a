import addressparser from 'nodemailer/lib/addressparser';
import { rowsWithState } from '../channel.store.js';
import type { ChannelDeps } from '../routes.js';
import type { EmailConfig } from './email.types.js';
import { canSend } from './email.types.js';

/**
 * The workspace's enabled e-mail records with their poll state, in one query and without their
 * credentials decrypted: the poll timer asks every second, and only a mailbox whose poll is due
 * needs its password.
 */
export async function emailRowsWithState(deps: ChannelDeps) {
  return rowsWithState(deps.db, deps.workspaceId, 'email');
}

/**
 * Whether some enabled e-mail record can send (has an SMTP side): what the sender's `ready`
 * answers. Read from the settings alone, so the notifier's check per customer decrypts nothing.
 */
export async function canSendEmail(
  deps: ChannelDeps,
  /** Read through this (a reply's transaction) rather than `deps.db`. */
  db = deps.db,
): Promise<boolean> {
  const rows = (limit?: number) =>
    db
      .selectFrom('channels')
      .select('config_json')
      .where('workspace_id', '=', deps.workspaceId)
      .where('kind', '=', 'email')
      .where('disabled_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .$if(limit !== undefined, (q) => q.limit(limit!))
      .execute();
  const sends = (r: { config_json: string }) => canSend(JSON.parse(r.config_json) as EmailConfig);
  // The first record answers mail that names no mailbox (resolveChannel) and usually sends: one
  // row read, not all.
  const first = await rows(1);
  if (first.length === 0) return false;
  return sends(first[0]) || (await rows()).some(sends);
}

/** A record's own addresses: the one it sends from and the mailbox it reads. */
export function addressesOf(config: EmailConfig): string[] {
  const out: string[] = [];
  if (config.from) {
    for (const a of addressparser(config.from, { flatten: true })) {
      if ('address' in a && a.address) out.push(a.address.toLowerCase());
    }
  }
  if (config.imap?.user.includes('@')) out.push(config.imap.user.toLowerCase());
  return out;
}

/**
 * The desk's own addresses, over every e-mail record of the workspace (the ones it sends from, the
 * mailboxes it reads): mail from them is a copy of ours or a loop, never a customer. Not the
 * polled record's alone: a mailbox that only receives is answered from another record's SMTP
 * side (`resolveSmtpChannel`), and that record's mail reaching the mailbox (a Cc, a Bcc copy,
 * an auto-reply sent back) must not open a case. Disabled records count too: mail they sent
 * before can still come back. The desk has no other sending address (no workspace-wide From),
 * so these are all of them.
 */
export async function ownAddressesOf(deps: ChannelDeps): Promise<Set<string>> {
  const rows = await deps.db
    .selectFrom('channels')
    .select('config_json')
    .where('workspace_id', '=', deps.workspaceId)
    .where('kind', '=', 'email')
    .execute();
  return new Set(rows.flatMap((r) => addressesOf(JSON.parse(r.config_json) as EmailConfig)));
}
