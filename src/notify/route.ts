import type { Kysely } from 'kysely';
import { decideWindow, type Surface } from '../channels/window/window.js';
import { channelPhone } from '../customers/identity.keys.js';
import type { DB } from '../platform/db/schema.js';
import { ERASED } from '../privacy/scrub.js';

export interface Route {
  channel: string;
  channelId: string | null;
  to: string;
  inReplyTo: string | null;
  visibility: 'public' | 'private';
  /** Why this route (e.g. `case channel`, `fallback: sms`). */
  why: string;
}

/** Which messaging-window surface a channel and visibility are (src/channels/window). */
function surfaceOf(channel: string, visibility: 'public' | 'private'): Surface | null {
  switch (channel) {
    case 'facebook':
      return visibility === 'public' ? 'comment_reply' : 'messenger';
    case 'instagram':
      return visibility === 'public' ? 'comment_reply' : 'instagram_dm';
    case 'whatsapp':
      return 'whatsapp';
    case 'x':
      return visibility === 'public' ? 'x_public' : 'x_dm';
    default:
      return null;
  }
}

/** Identifies a route by channel and address (for `chooseRoute`'s `exclude`). */
export const routeKey = (channel: string, address: string, visibility: 'public' | 'private') =>
  `${channel}\u0000${address}\u0000${visibility}`;

/** How a case's own channel is answered: where the customer spoke (see `chooseRoute`). */
function caseVisibility(last: { channel: string; visibility: string }): 'public' | 'private' {
  const threaded =
    last.channel === 'x' || last.channel === 'facebook' || last.channel === 'instagram';
  return threaded && last.visibility === 'public' ? 'public' : 'private';
}

/** The route key of a case's own channel (see `caseVisibility`). */
const caseKey = (last: { channel: string; author_address: string; visibility: string }) =>
  routeKey(last.channel, last.author_address, caseVisibility(last));

/** Channels that cannot carry a text notification at all. */
const NO_TEXT = new Set(['voice']);
/** Fallback preference when the case's channel cannot be used. */
const FALLBACK_ORDER = ['sms', 'email', 'whatsapp', 'x', 'facebook', 'instagram', 'webchat', 'api'];
const rankOf = (channel: string) => {
  const i = FALLBACK_ORDER.indexOf(channel);
  return i < 0 ? FALLBACK_ORDER.length : i;
};
/** A way to reach the customer: a channel and address, ranked by `FALLBACK_ORDER`. */
interface Candidate {
  channel: string;
  address: string;
  rank: number;
}

/**
 * What a configured channel allows past the standard 24-hour window (its non-secret config):
 * a WhatsApp template. Meta's HUMAN_AGENT tag is for replies a person writes; Meta does not allow
 * automated messages under it, so a notification never counts on it (nor does the sender use it
 * for one: `OutboundMessage.automated`).
 */
async function windowOptions(db: Kysely<DB>, channelId: string | null) {
  if (!channelId) return { automated: true };
  const ch = await db
    .selectFrom('channels')
    .select(['config_json'])
    .where('id', '=', channelId)
    .executeTakeFirst();
  if (!ch) return { automated: true };
  const config = JSON.parse(ch.config_json) as { whatsappTemplate?: unknown };
  return { humanAgentTag: false, automated: true, templateAvailable: !!config.whatsappTemplate };
}

/**
 * Picks how to reach a linked customer: the case's own channel (answering their latest message)
 * when its messaging-window rules allow, else another of the customer's identities (a voice
 * caller's number gets an SMS), else null with the reasons. Notifications are private.
 * `canSend` says whether this installation can send on a channel kind (through the named channel
 * record, if any) at all: a channel with no sender, or no configured mailbox or number behind its
 * sender, is refused at once rather than retried until the outbox gives up.
 */
export async function chooseRoute(
  db: Kysely<DB>,
  workspaceId: string,
  caseId: string,
  customerId: string,
  now: number,
  canSend: (channel: string, channelId: string | null) => boolean | Promise<boolean> = () => true,
  /**
   * Routes (`routeKey`) already refused for good, with who refused and why in a few words (the
   * provider, the desk's own rule, a delivery the provider reported failed): the next one is
   * tried instead.
   */
  exclude: ReadonlyMap<string, string> = new Map(),
): Promise<{ route: Route | null; refused: string[] }> {
  const refused: string[] = [];
  const c = await db
    .selectFrom('cases')
    .select(['channel'])
    .where('id', '=', caseId)
    .executeTakeFirst();
  const last = await db
    .selectFrom('messages')
    .select(['external_id', 'author_address', 'channel_id', 'visibility', 'sent_at', 'channel'])
    .where('case_id', '=', caseId)
    .where('direction', '=', 'in')
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last && last.author_address === ERASED) {
    // The customer's address was erased (their message kept, the handle overwritten): the case
    // has no route, and nothing may be sent to the placeholder.
    refused.push(`${last.channel}: the address was erased`);
  } else if (last && exclude.has(caseKey(last))) {
    refused.push(`${last.channel}: ${exclude.get(caseKey(last))}`);
  } else if (
    c &&
    last &&
    !NO_TEXT.has(last.channel) &&
    !(await canSend(last.channel, last.channel_id))
  ) {
    refused.push(`${last.channel}: no sender is configured`);
  } else if (c && last && !NO_TEXT.has(last.channel)) {
    // Where the customer spoke: a public mention or comment is answered where it was made (a
    // reply, as care teams answer on X; a DM needs the customer to accept it), a private
    // message privately.
    const visibility = caseVisibility(last);
    const surface = surfaceOf(last.channel, visibility);
    const d = surface
      ? decideWindow({
          surface,
          now,
          lastInboundAt: last.sent_at,
          ...(await windowOptions(db, last.channel_id)),
        })
      : null;
    if (!d || d.allowed) {
      return {
        route: {
          channel: last.channel,
          channelId: last.channel_id,
          to: last.author_address,
          inReplyTo: last.external_id,
          visibility,
          why: 'case channel',
        },
        refused,
      };
    }
    refused.push(`${last.channel}: ${d.reason}`);
  } else if (last) {
    refused.push(`${last.channel}: cannot carry a text message`);
  }
  const ids = await db
    .selectFrom('identities')
    .select(['channel', 'address'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .execute();
  const candidates: Candidate[] = [];
  for (const i of ids) {
    // An account number (recorded by an agent or an import) names the customer; nothing is sent
    // to it.
    if (i.channel === 'account') continue;
    if (i.channel === 'voice' && /^\+\d{6,15}$/.test(i.address))
      candidates.push({ channel: 'sms', address: i.address, rank: rankOf('sms') });
    else if (!NO_TEXT.has(i.channel))
      candidates.push({ channel: i.channel, address: i.address, rank: rankOf(i.channel) });
    // A WhatsApp number is a phone number: when WhatsApp itself cannot be used (its 24-hour
    // window closed with no approved template), a text to that number is the customer's next
    // way, tried right after WhatsApp and before their other channels' fallbacks.
    const phone = i.channel === 'whatsapp' ? channelPhone('whatsapp', i.address) : null;
    if (phone) candidates.push({ channel: 'sms', address: phone, rank: rankOf('whatsapp') + 0.5 });
  }
  candidates.sort((a, b) => a.rank - b.rank);
  const seen = new Set<string>();
  for (const cand of candidates) {
    // The case's own route was tried above; a public reply's handle can still take a DM (X
    // refuses a public reply that is too long, which a DM carries).
    if (
      last &&
      cand.channel === last.channel &&
      cand.address === last.author_address &&
      caseVisibility(last) === 'private'
    )
      continue;
    const key = routeKey(cand.channel, cand.address, 'private');
    // One number may be both a caller's, a texter's and a WhatsApp user's: tried once.
    if (seen.has(key)) continue;
    seen.add(key);
    if (exclude.has(key)) continue;
    // The customer's latest message there names the configured channel to answer through.
    const lastIn = await db
      .selectFrom('messages')
      .select(['sent_at', 'channel_id'])
      .where('workspace_id', '=', workspaceId)
      // The customer's own messages (indexed), then the identity's.
      .where('customer_id', '=', customerId)
      .where('channel', '=', cand.channel)
      .where('author_address', '=', cand.address)
      .where('direction', '=', 'in')
      .orderBy('sent_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const channelId = lastIn?.channel_id ?? null;
    if (!(await canSend(cand.channel, channelId))) {
      refused.push(`${cand.channel}: no sender is configured`);
      continue;
    }
    const surface = surfaceOf(cand.channel, 'private');
    if (surface) {
      const d = decideWindow({
        surface,
        now,
        lastInboundAt: lastIn ? Number(lastIn.sent_at) : null,
        ...(await windowOptions(db, channelId)),
      });
      if (!d.allowed) {
        refused.push(`${cand.channel}: ${d.reason}`);
        continue;
      }
    }
    return {
      route: {
        channel: cand.channel,
        channelId,
        to: cand.address,
        inReplyTo: null,
        visibility: 'private',
        why: `fallback: ${cand.channel}`,
      },
      refused,
    };
  }
  return { route: null, refused };
}
