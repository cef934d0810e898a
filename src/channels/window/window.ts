import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { RuleError } from '../connector-error.js';

/**
 * Messaging-window rules, in one place, for agents' replies and for the loop-closing
 * notifications that come later. Sources:
 * - Messenger: standard messaging within 24 h of the person's last message; after that only a
 *   message tag, of which HUMAN_AGENT allows a human reply for 7 days
 *   (developers.facebook.com/docs/messenger-platform/policy/policy-overview#24hours_window,
 *   …/send-messages/message-tags#human-agent).
 * - Instagram messaging: the same 24 h and 7-day human-agent rules.
 * - Page comments: a public reply has no window; a private reply to a comment may be sent once,
 *   within 7 days of the comment (…/messenger-platform/discovery/private-replies).
 * - WhatsApp Cloud API: free-form messages within 24 h of the customer's last message (the
 *   customer service window); outside it only an approved template
 *   (developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows).
 * - X: no time window (a DM may fail if the person does not accept DMs; X says so itself).
 */
export const HOUR = 3_600_000;
export const STANDARD_WINDOW_MS = 24 * HOUR;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;
export const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * HOUR;

export type Surface =
  | 'messenger'
  | 'instagram_dm'
  | 'whatsapp'
  | 'comment_reply'
  | 'private_reply'
  | 'x_public'
  | 'x_dm';

export type WindowDecision =
  | { allowed: true; mode: 'standard' }
  | { allowed: true; mode: 'human_agent'; closesAt: number }
  | { allowed: true; mode: 'template' }
  | { allowed: false; rule: string; reason: string };

export interface WindowInput {
  surface: Surface;
  now: number;
  /** The customer's last message to us on this surface (for private replies: the comment time). */
  lastInboundAt: number | null;
  /** Messenger/Instagram: may we use the HUMAN_AGENT tag? */
  humanAgentTag?: boolean;
  /** Written by the system (a problem's update): the tag could not carry it, so none is advised. */
  automated?: boolean;
  /** WhatsApp: is an approved template configured to carry the message? */
  templateAvailable?: boolean;
  /** Private replies: was one already sent for this comment? */
  privateReplyUsed?: boolean;
}

/** Pure decision: may this go now, and how? */
export function decideWindow(i: WindowInput): WindowDecision {
  const age = i.lastInboundAt === null ? Number.POSITIVE_INFINITY : i.now - i.lastInboundAt;
  const h = (ms: number) => `${Math.round(ms / HOUR)} h`;
  switch (i.surface) {
    case 'x_public':
    case 'x_dm':
    case 'comment_reply':
      return { allowed: true, mode: 'standard' };
    case 'private_reply':
      if (i.privateReplyUsed) {
        return {
          allowed: false,
          rule: 'meta_private_reply_once',
          reason: 'a private reply to this comment was already sent; Meta allows one per comment',
        };
      }
      if (age <= PRIVATE_REPLY_WINDOW_MS) return { allowed: true, mode: 'standard' };
      return {
        allowed: false,
        rule: 'meta_private_reply_7d',
        reason: `a private reply must follow the comment within 7 days (it is ${i.lastInboundAt === null ? 'unknown' : h(age)} old)`,
      };
    case 'messenger':
    case 'instagram_dm': {
      if (age <= STANDARD_WINDOW_MS) return { allowed: true, mode: 'standard' };
      if (i.humanAgentTag && age <= HUMAN_AGENT_WINDOW_MS) {
        return {
          allowed: true,
          mode: 'human_agent',
          closesAt: i.lastInboundAt! + HUMAN_AGENT_WINDOW_MS,
        };
      }
      const since = i.lastInboundAt === null ? 'never wrote to us' : `last wrote ${h(age)} ago`;
      return {
        allowed: false,
        rule: i.humanAgentTag ? 'meta_human_agent_7d' : 'meta_24h',
        reason: i.humanAgentTag
          ? `the 7-day human-agent window is closed (the customer ${since})`
          : i.automated
            ? `the 24-hour messaging window is closed (the customer ${since}); Meta allows no automated message after it`
            : `the 24-hour messaging window is closed (the customer ${since}); enable the human-agent tag to answer within 7 days`,
      };
    }
    case 'whatsapp':
      if (age <= STANDARD_WINDOW_MS) return { allowed: true, mode: 'standard' };
      if (i.templateAvailable) return { allowed: true, mode: 'template' };
      return {
        allowed: false,
        rule: 'whatsapp_24h',
        reason: `the WhatsApp 24-hour customer service window is closed (the customer ${i.lastInboundAt === null ? 'never wrote to us' : `last wrote ${h(age)} ago`}) and no approved template is configured`,
      };
  }
}

/** The customer's last inbound message on a channel instance from one address, epoch ms. */
export async function lastInboundAt(
  db: Kysely<DB>,
  workspaceId: string,
  q: {
    channel: string;
    channelId: string | null;
    address: string;
    visibility?: 'public' | 'private';
  },
): Promise<number | null> {
  let query = db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('sent_at').as('at'))
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', q.channel)
    .where('author_address', '=', q.address)
    .where('direction', '=', 'in');
  if (q.channelId) query = query.where('channel_id', '=', q.channelId);
  if (q.visibility) query = query.where('visibility', '=', q.visibility);
  const row = await query.executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

/** The same customer's other addresses, offered when a channel cannot carry a message. */
export async function otherIdentities(
  db: Kysely<DB>,
  workspaceId: string,
  channel: string,
  address: string,
): Promise<{ channel: string; address: string }[]> {
  const me = await db
    .selectFrom('identities')
    .select('customer_id')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('address', '=', address)
    .executeTakeFirst();
  if (!me) return [];
  const rows = await db
    .selectFrom('identities')
    .select(['channel', 'address'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', me.customer_id)
    .execute();
  return rows.filter((r) => !(r.channel === channel && r.address === address));
}

/**
 * Throws `permission_missing` naming the rule when the window forbids the message (a `RuleError`,
 * `window_closed`), and lists the customer's other identities so the agent (or the notifier)
 * can pick another way.
 */
export async function enforceWindow(
  db: Kysely<DB>,
  workspaceId: string,
  decision: WindowDecision,
  customer: { channel: string; address: string },
): Promise<Exclude<WindowDecision, { allowed: false }>> {
  if (decision.allowed) return decision;
  const others = await otherIdentities(db, workspaceId, customer.channel, customer.address);
  const offer = others.length
    ? ` The customer can also be reached on: ${others.map((o) => `${o.channel} ${o.address}`).join(', ')}.`
    : ' No other identity of this customer is known.';
  throw new RuleError(
    'permission_missing',
    'window_closed',
    decision.rule,
    `[${decision.rule}] ${decision.reason}.${offer}`,
  );
}
