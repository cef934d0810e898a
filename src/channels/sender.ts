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
}

export interface SendResult {
  /** The provider's id for the sent message; replaces our provisional `tl-…` id. */
  externalId?: string;
}

/** A channel adapter's sending side. Throws ConnectorError on failure. */
export type Sender = (msg: OutboundMessage, idempotencyKey: string) => Promise<SendResult>;
