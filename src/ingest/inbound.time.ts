import type { InboundMessage } from './inbound.schema.js';

/** How far ahead of our clock a sender's clock may run before its time is not believed. */
export const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Live intake (the inbound API, channel webhooks) takes a message's `sentAt` as its event time,
 * but nothing can arrive before it is sent: a time more than `FUTURE_SKEW_MS` ahead of arrival
 * is taken as the arrival time. Event time only moves forward, so one message dated two days
 * ahead would otherwise age every open problem and case clock by two days at once (problems
 * closed as subsided, SLA breaches, verifications). Replays and imports of history keep their
 * times as given (`ingestStream`).
 */
export function notFromTheFuture(messages: InboundMessage[], receivedAt: number): InboundMessage[] {
  const latest = receivedAt + FUTURE_SKEW_MS;
  return messages.map((m) => {
    const t = Date.parse(m.sentAt);
    return Number.isFinite(t) && t > latest
      ? { ...m, sentAt: new Date(receivedAt).toISOString() }
      : m;
  });
}
