import type { ParsedDelivery } from '../channel.parsed.js';
import type { ChannelDeps } from '../routes.js';

/**
 * The nearest of a reply's parents (In-Reply-To, then References newest first) that the desk
 * knows: a stored e-mail, one still in the inbound log, or one earlier in this delivery. The
 * pipeline threads by one `inReplyTo`; a mail answering a message we never stored (a colleague's
 * answer from their own mail client, which we skip as our own) still names the customer's
 * first mail in References, and that one joins the case. Undefined when none is known.
 */
export async function nearestKnownParent(
  deps: ChannelDeps,
  parents: string[],
  delivery: ParsedDelivery,
): Promise<string | undefined> {
  if (parents.length === 0) return undefined;
  const local = new Set(delivery.messages.map((p) => p.message.externalId));
  const stored = await deps.db
    .selectFrom('messages')
    .select('external_id')
    .where('workspace_id', '=', deps.workspaceId)
    .where('channel', '=', 'email')
    .where('external_id', 'in', parents)
    .execute();
  const logged = await deps.db
    .selectFrom('inbound_events')
    .select('external_id')
    .where('workspace_id', '=', deps.workspaceId)
    .where('channel', '=', 'email')
    .where('external_id', 'in', parents)
    .execute();
  const known = new Set([
    ...local,
    ...stored.map((r) => r.external_id),
    ...logged.map((r) => r.external_id),
  ]);
  return parents.find((p) => known.has(p));
}

/** The bounced Message-IDs that name a message we sent (never a customer's, never unknown). */
export async function knownFailedOutbound(deps: ChannelDeps, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await deps.db
    .selectFrom('messages')
    .select('external_id')
    .where('workspace_id', '=', deps.workspaceId)
    .where('channel', '=', 'email')
    .where('direction', '=', 'out')
    .where('external_id', 'in', [...new Set(ids)])
    .execute();
  return rows.map((r) => r.external_id);
}

/**
 * A mail the desk cannot take, stored as a parked inbound event with its reason, where parked
 * events of every channel are listed and retried (`throughline parked`, the admin API). The
 * payload names the channel (so its health counts it) and the UID to find the mail in the
 * folder; a retry parks it again, since the mail itself does not change. Idempotent per id.
 */
export async function parkMail(
  deps: ChannelDeps,
  channelId: string,
  externalId: string,
  uid: number,
  reason: string,
): Promise<void> {
  const now = deps.clock();
  await deps.db
    .insertInto('inbound_events')
    .values({
      workspace_id: deps.workspaceId,
      channel: 'email',
      external_id: externalId,
      received_at: now,
      payload_json: JSON.stringify({
        channel: 'email',
        channelId,
        externalId,
        imapUid: uid,
        unusable: reason,
      }),
      status: 'parked',
      attempts: 0,
      next_attempt_at: now,
      last_error: reason.slice(0, 1000),
      processed_at: null,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'external_id']).doNothing())
    .execute();
}
