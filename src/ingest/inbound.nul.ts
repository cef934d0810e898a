import {
  findString,
  LONE_SURROGATE,
  replaceLoneSurrogates,
  replaceNul,
  replaceNulDeep,
} from '../platform/http/nul-guard.js';
import type { InboundMessage } from './inbound.schema.js';

/**
 * NUL characters (U+0000) in inbound messages. PostgreSQL's text types cannot store them (SQLite
 * can), so without this a message answered 500 at the intake, or was accepted and then failed in
 * the pipeline until it was parked, on one engine only. What a serious desk does with them:
 *
 * - Customer content (the text, names, handles, locations, attachment fields, the provider's raw
 *   payload — every string that is not an identifier) is kept: each NUL becomes U+FFFD, the
 *   character decoders already put where bytes could not be read (an email body decoded from an
 *   odd charset). Dropping a complaint over one control character would lose what the customer
 *   said; the replacement is visible and stores the same on both engines. Half a UTF-16
 *   surrogate pair (JSON "\ud83d" alone) becomes one U+FFFD too: neither engine can store it,
 *   and each damaged it its own way (SQLite kept the invalid UTF-8 bytes ED A0 BD, read back as
 *   three U+FFFD; PostgreSQL's driver wrote one).
 * - Identifiers (`externalId`, `author.id`, `channelId`, `inReplyTo`, `conversationId`) are
 *   refused. They are keys: the idempotency key, the customer's identity, the thread. Rewriting
 *   them would make two different keys one ("a\0" and "a\uFFFD") and could merge two customers or
 *   drop a distinct message as a re-delivery — silently. No provider issues ids with a NUL, so
 *   one means a broken or hostile sender, which is told: 400 at the API, a bad line in replay,
 *   an ignored part (with its reason) of a channel webhook delivery.
 *
 * Every intake path goes through `appendInbound`, which applies both rules; the API, replay and
 * channel webhooks check identifiers before that, to answer the sender precisely.
 */

/** The identifier fields, as JSON paths, with how to read them. */
const ID_FIELDS: [string, (m: InboundMessage) => unknown][] = [
  ['/externalId', (m) => m.externalId],
  ['/author/id', (m) => m.author?.id],
  ['/channelId', (m) => m.channelId],
  ['/inReplyTo', (m) => m.inReplyTo],
  ['/conversationId', (m) => m.conversationId],
];

/**
 * Whether customer text holds what no engine stores as sent: a NUL or a lone surrogate (half a
 * UTF-16 pair; in an identifier it is refused like a NUL: written as UTF-8 it becomes U+FFFD, so
 * the stored key would differ from the one sent and two different ids could become one).
 */
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/** Customer text with each NUL and each lone surrogate as one U+FFFD. */
export function storableText(s: string): string {
  return unstorable(s) ? replaceLoneSurrogates(replaceNul(s)) : s;
}

/**
 * Why a message cannot be taken for a NUL, an unpaired surrogate or nothing but spaces in an
 * identifier, or undefined when it can.
 */
export function inboundNulProblem(m: InboundMessage): string | undefined {
  for (const [path, read] of ID_FIELDS) {
    const v = read(m);
    if (typeof v !== 'string') continue;
    if (v.includes('\u0000')) return `${path}: NUL characters are not allowed in identifiers`;
    // Spaces only: no provider sends such an id, and every sender of one would be one customer
    // (or one message, every later one a "duplicate").
    if (v.trim() === '') return `${path}: an identifier cannot be blank`;
    if (LONE_SURROGATE.test(v))
      return `${path}: an unpaired UTF-16 surrogate is not allowed in identifiers`;
  }
  return undefined;
}

/**
 * The message with every NUL and lone surrogate outside its identifiers replaced by U+FFFD (the
 * same object when it has none). Identifiers are left as they are: `inboundNulProblem` refuses
 * them.
 */
export function scrubInbound(m: InboundMessage): InboundMessage {
  if (findString(m, unstorable) === undefined) return m;
  const ids = {
    externalId: m.externalId,
    channelId: m.channelId,
    inReplyTo: m.inReplyTo,
    conversationId: m.conversationId,
  };
  const out = replaceNulDeep(m, storableText);
  out.author = { ...out.author, id: m.author.id };
  for (const [k, v] of Object.entries(ids)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
