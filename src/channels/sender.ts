import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/** What the outbox hands a channel adapter to deliver. */
export interface OutboundMessage {
  messageId: string;
  caseId: string;
  channel: string;
  channelId: string | null;
  /** The customer's address on the channel. */
  to: string;
  inReplyTo: string | null;
  visibility: 'public' | 'private';
  text: string;
  /**
   * Sent by the system, not written by a person (a problem's status update): rules for human
   * replies, such as Meta's HUMAN_AGENT tag past the 24-hour window, do not apply.
   */
  automated?: boolean;
}

export interface SendResult {
  /** The provider's id for the sent message; replaces our provisional `tl-…` id. */
  externalId?: string;
}

/** A channel adapter's sending side. Throws ConnectorError on failure. */
export interface Sender {
  (msg: OutboundMessage, idempotencyKey: string): Promise<SendResult>;
  /**
   * Whether a configured channel record can carry a message on this channel kind now (e.g. an
   * enabled email channel exists). Senders without it are always ready. The problem notifier asks
   * before routing, so a customer falls back to another identity instead of a failed send. The
   * case, when given, is the one the message would answer (a wrapper may answer per customer:
   * the demo's).
   */
  ready?: (
    msg: Pick<OutboundMessage, 'channel' | 'channelId'> & { caseId?: string },
  ) => Promise<boolean>;
  /**
   * The channel's own rules that need no provider (its messaging window, its length limit), as
   * the send applies them: throws their `RuleError`. Asked before an agent's reply is queued, so
   * one that can certainly not go is refused at once; the send checks again, since a window can
   * close while the reply waits. Reads through `db`, the reply's transaction (SQLite has one
   * connection). Says nothing of the channel record being there: the send reports that.
   */
  check?: (db: Kysely<DB>, msg: OutboundMessage, now: number) => Promise<void>;
  /**
   * Whether a channel record the sender needs is set up at all (an enabled mailbox that sends,
   * an SMS number), read through `db`, the reply's transaction (SQLite has one connection). A
   * reply nothing could carry is refused up front (422 `not_configured`, `sendersCheck`), as for
   * a kind with no sender; senders without it are always configured.
   */
  configured?: (db: Kysely<DB>, msg: OutboundMessage) => Promise<boolean>;
}
