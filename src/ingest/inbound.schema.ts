import { type Static, Type } from '@sinclair/typebox';
import { BIGINT_MAX } from '../platform/db/int-range.js';

/**
 * The normalised inbound message: what every channel adapter, the public
 * `POST /api/v1/inbound` endpoint, the twcs importer and the simulator produce.
 * It is the only shape the ingest pipeline accepts.
 */

export const CHANNEL_KINDS = [
  'x',
  'facebook',
  'instagram',
  'whatsapp',
  'email',
  'sms',
  'voice',
  'webchat',
  'api',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * Channels whose posts are public by nature: a post on X, a comment on a Facebook Page or an
 * Instagram post. Their adapters say `visibility` on every message (DMs on them are `private`).
 */
const PUBLIC_BY_NATURE: ReadonlySet<ChannelKind> = new Set(['x', 'facebook', 'instagram']);

/**
 * The visibility of a message that does not state one: `public` only on the channels whose posts
 * are public (X, Facebook and Instagram comments); everything else (email, SMS, WhatsApp, calls,
 * web chat, the generic API) is a conversation between the customer and us.
 */
export function defaultVisibility(channel: ChannelKind): 'public' | 'private' {
  return PUBLIC_BY_NATURE.has(channel) ? 'public' : 'private';
}

export const AuthorSchema = Type.Object(
  {
    /** Stable address on the channel: X user id, PSID, email address, E.164 phone… Always a string. */
    id: Type.String({ minLength: 1, maxLength: 320 }),
    handle: Type.Optional(Type.String({ maxLength: 320 })),
    name: Type.Optional(Type.String({ maxLength: 500 })),
    /** Stored in a bigint column: a larger count is refused here, not parked by the pipeline. */
    followers: Type.Optional(Type.Integer({ minimum: 0, maximum: BIGINT_MAX })),
    location: Type.Optional(Type.String({ maxLength: 500 })),
    verified: Type.Optional(Type.Boolean()),
    /**
     * The channel does not vouch for `id` (an e-mail's Reply-To, which any sender may write): a
     * new identity for it gets no cross-channel link key, so it never joins another customer
     * automatically (customers/identity.link.ts).
     */
    addressUnverified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

export const AttachmentSchema = Type.Object(
  {
    type: Type.String({ maxLength: 100 }),
    url: Type.Optional(Type.String({ maxLength: 4000 })),
    name: Type.Optional(Type.String({ maxLength: 1000 })),
    contentType: Type.Optional(Type.String({ maxLength: 200 })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: BIGINT_MAX })),
  },
  { additionalProperties: true },
);

/** The longest message text we take, in UTF-16 code units (as the schema counts). */
export const TEXT_MAX = 100_000;

export const InboundMessageSchema = Type.Object(
  {
    channel: Type.Union(CHANNEL_KINDS.map((c) => Type.Literal(c))),
    /** Configured channel instance (e.g. one X account); optional for the generic API channel. */
    channelId: Type.Optional(Type.String({ maxLength: 100 })),
    /** Provider's id of this message; with `channel` it is the idempotency key. */
    externalId: Type.String({ minLength: 1, maxLength: 500 }),
    /**
     * `in` (customer → us, the default) or `out` (our agent → customer). `out` is for history
     * imports and echoes of messages we sent from elsewhere (e.g. brand replies in twcs).
     */
    direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])),
    author: AuthorSchema,
    text: Type.String({ maxLength: TEXT_MAX }),
    /**
     * The message's own subject where the channel has one (an e-mail's Subject header). A case
     * the message opens takes it as its subject instead of the text's first line.
     */
    subject: Type.Optional(Type.String({ maxLength: 998 })),
    /** Event time: when the customer sent it (ISO-8601 with zone). Never replaced by wall time. */
    sentAt: Type.String({ format: 'date-time' }),
    /** External id of the message this one answers (same channel). */
    inReplyTo: Type.Optional(Type.String({ maxLength: 500 })),
    /** Provider conversation/thread id when there is one (X conversation_id, email thread). */
    conversationId: Type.Optional(Type.String({ maxLength: 500 })),
    /**
     * Who can see it. Default by channel (`defaultVisibility`): `public` on x, facebook and
     * instagram (posts and comments), `private` on every other channel.
     */
    visibility: Type.Optional(
      Type.Union([Type.Literal('public'), Type.Literal('private')], {
        description:
          'default by channel: public on x, facebook and instagram, private on every other channel',
      }),
    ),
    attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 50 })),
    /** True for posts found by listening (keyword search) that did not address us directly. */
    unsolicited: Type.Optional(Type.Boolean()),
    /** The provider's payload, kept verbatim for audit and re-processing. */
    raw: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export type InboundMessage = Static<typeof InboundMessageSchema>;
export type Author = Static<typeof AuthorSchema>;

/**
 * Why a message sent to `POST /api/v1/inbound` (or a `replay` line) says nothing, or undefined
 * when it says something: text that is empty or spaces only, and no attachment. Such a message
 * opened a case with an empty subject that no one could act on; the sender is told instead (400,
 * a bad line). Only these two intakes ask: the schema itself still takes empty text, because a
 * channel adapter's message may legitimately have none (a WhatsApp photo without a caption carries
 * an attachment; an edit that empties a post is applied to a message already there).
 */
export function emptyMessageProblem(
  m: Pick<InboundMessage, 'text' | 'attachments' | 'subject'>,
): string | undefined {
  // (An e-mail whose subject says it all, "Internet down since 6am", has something to read.)
  if (m.text.trim() !== '' || (m.attachments?.length ?? 0) > 0) return undefined;
  if ((m.subject ?? '').trim() !== '') return undefined;
  return '/text is empty and the message has no attachment or subject: a message needs one of them';
}

/**
 * A provider's follower count as the schema takes it: a whole number, at most `BIGINT_MAX`
 * (clamped, not dropped: a huge account stays huge). Undefined when it is not a count. A channel
 * adapter's message must pass the schema, or the pipeline parks it.
 */
export function followerCount(v: unknown): number | undefined {
  if (typeof v !== 'number' || !(v >= 0)) return undefined;
  return Math.min(Math.floor(v), BIGINT_MAX);
}

// TypeBox's Value.Check only knows formats that are registered. RFC 3339 date-time with a zone
// (or Z); Date.parse then settles the calendar (no 31 February).
import { FormatRegistry } from '@sinclair/typebox';

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * RFC 3339 date-time with a zone. The calendar is checked field by field: Date.parse rolls an
 * impossible day over (31 February became 3 March), so it cannot be the judge.
 */
export function isDateTime(v: string): boolean {
  const m = DATE_TIME.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s = '0', zh = '0', zm = '0'] = m.slice(1);
  const year = Number(y);
  const month = Number(mo);
  if (month < 1 || month > 12) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    Number(d) >= 1 &&
    Number(d) <= days &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s) <= 60 &&
    Number(zh) <= 23 &&
    Number(zm) <= 59 &&
    Number.isFinite(Date.parse(v))
  );
}
