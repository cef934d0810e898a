import type { InboundMessage } from '../ingest/inbound.schema.js';
import type { Edit } from './channel.edits.js';
import type { Mark } from './channel.marks.js';

/** The schema allows extra properties (coordinates, media ids). */
export type Attachment = NonNullable<InboundMessage['attachments']>[number] &
  Record<string, unknown>;

/** One normalised message and, for echoes of our own posts, the customer it went to. */
export interface ParsedMessage {
  message: InboundMessage;
  /** For direction `out`: the customer's address, to thread an echo into their case. */
  counterpart?: string;
  /** An edited version (X): the ids of the versions before it; taken as an edit of those. */
  editOf?: string[];
}

/** What a provider delivery turned into; every skipped part says why. */
export interface ParsedDelivery {
  messages: ParsedMessage[];
  marks: Mark[];
  /** Watermark receipts (Messenger/Instagram read/delivery). */
  watermarks: {
    channel: string;
    customerAddress: string;
    kind: 'delivered' | 'read';
    watermark: number;
  }[];
  /**
   * Edits of earlier messages, each with the message to take instead when the one it edits was
   * never received (channel.edits.ts).
   */
  edits: { edit: Edit; asMessage: ParsedMessage }[];
  ignored: { what: string; reason: string }[];
  /**
   * Messages kept with a placeholder text because the desk cannot show what they hold (a
   * WhatsApp contact card, an unsupported type): logged at info, by kind and id, never their text.
   */
  placeholders?: { what: string; reason: string }[];
}

export function emptyDelivery(): ParsedDelivery {
  return { messages: [], marks: [], watermarks: [], edits: [], ignored: [] };
}

/** The latest time a JavaScript Date holds: past it, `toISOString` throws. */
const MAX_DATE_MS = 8.64e15;

/**
 * Provider timestamps: epoch ms, epoch seconds (Meta sometimes), or a numeric string. A number no
 * Date can hold is no time: dating a message with it would throw, the webhook would answer 500
 * and the provider re-deliver the same payload for good.
 */
export function toEpochMs(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // Seconds until the year 33658; ms after 2001. Meta's referral payloads mix both.
  const ms = n < 1e12 ? n * 1000 : n;
  return ms <= MAX_DATE_MS ? ms : undefined;
}

/**
 * The `sentAt` of a message whose provider gave no usable time: the epoch, which `ingestDelivery`
 * (through `believableTimes`) replaces with the time it arrived and logs. The message is kept.
 */
export const UNDATED = new Date(0).toISOString();

export const isNumericId = (s: string | undefined): s is string => !!s && /^\d{1,25}$/.test(s);
