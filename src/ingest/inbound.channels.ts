import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import type { ChannelKind, InboundMessage } from './inbound.schema.js';

/**
 * The kind of channel record that carries each message channel: a Meta app carries Facebook,
 * Instagram and WhatsApp, a Twilio number SMS and calls. Web chat and the generic API have no
 * channel record, so a `channelId` on them names nothing they could leave by.
 */
const RECORD_OF: Partial<Record<ChannelKind, string>> = {
  x: 'x',
  facebook: 'meta',
  instagram: 'meta',
  whatsapp: 'meta',
  email: 'email',
  sms: 'sms',
  voice: 'sms',
};

/** The kinds of a desk's channels by id: those named in `ids`, or every one (`replay`). */
export async function channelKinds(
  db: Kysely<DB>,
  ws: string,
  ids?: string[],
): Promise<Map<string, string>> {
  if (ids?.length === 0) return new Map();
  let q = db.selectFrom('channels').select(['id', 'kind']).where('workspace_id', '=', ws);
  if (ids) q = q.where('id', 'in', ids);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.id, r.kind]));
}

/**
 * Why a message's `channelId` is refused, or null when it has none or it fits. A `channelId`
 * names one of the desk's configured channels (the account replies go out through), of a kind
 * that carries the message's channel: one that is not there, or an X account named for an email,
 * is the sender's mistake, said now, rather than a case whose replies have no channel to leave by
 * (or fail later on the wrong one). `POST /api/v1/inbound` and `replay` both ask this.
 */
export function channelIdProblem(
  m: Pick<InboundMessage, 'channel' | 'channelId'>,
  kindOf: ReadonlyMap<string, string>,
): string | null {
  if (!m.channelId) return null;
  const kind = kindOf.get(m.channelId);
  if (kind === undefined) return `channelId ${m.channelId} is not a channel of this desk`;
  const fits = RECORD_OF[m.channel];
  if (fits === kind) return null;
  return `channelId ${m.channelId} is a channel of kind ${kind}; ${
    fits
      ? `${m.channel} messages need one of kind ${fits}`
      : `${m.channel} messages take no channelId`
  }`;
}

/** The inbound API's check of a request's messages: a 400 naming what is wrong. */
export async function knownChannels(db: Kysely<DB>, ws: string, messages: InboundMessage[]) {
  const ids = [...new Set(messages.map((m) => m.channelId).filter((c): c is string => !!c))];
  if (ids.length === 0) return;
  const kindOf = await channelKinds(db, ws, ids);
  // Every unknown id at once (the first five), then the first message of the wrong kind.
  const unknown = ids.filter((id) => !kindOf.has(id));
  if (unknown.length > 0)
    throw badRequest(`channelId ${unknown.slice(0, 5).join(', ')} is not a channel of this desk`);
  for (const m of messages) {
    const problem = channelIdProblem(m, kindOf);
    if (problem) throw badRequest(problem);
  }
}
