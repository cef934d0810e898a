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

/**
 * The earliest `sentAt` believed: nothing the desk takes was written before 2000. Earlier times
 * come from unset clocks (1970-01-01, the epoch) and would date a message decades before its
 * customer wrote it. Dated history after it is welcome: clients replay years of it.
 */
export const EARLIEST_SENT_AT = Date.UTC(2000, 0, 1);
/**
 * How far ahead of the server's clock the inbound API takes a `sentAt` (clamped to the arrival
 * time past FUTURE_SKEW_MS) before it refuses it: a day covers any time zone mistake; a time
 * beyond it (the year 9999) is a bug in the sender, said to it rather than hidden.
 */
export const MAX_AHEAD_MS = 24 * 3_600_000;

/**
 * Why a `sentAt` is not believed whatever the clock says (unparseable, before 2000), or undefined.
 * The one check both the inbound API and `throughline replay` refuse a line by, with this reason:
 * replay stored a 1990 line the API refused.
 */
export function sentAtUnbelievable(sentAt: string): string | undefined {
  const t = Date.parse(sentAt);
  if (!Number.isFinite(t)) return 'is not a date-time';
  if (t < EARLIEST_SENT_AT) return `${sentAt} is before 2000-01-01T00:00:00Z (an unset clock?)`;
  return undefined;
}

/** Why the inbound API refuses this `sentAt`, or undefined when it takes it. */
export function sentAtProblem(sentAt: string, now: number): string | undefined {
  const unbelievable = sentAtUnbelievable(sentAt);
  if (unbelievable) return unbelievable;
  const t = Date.parse(sentAt);
  if (t > now + MAX_AHEAD_MS)
    return `${sentAt} is more than 24 hours ahead of the server's clock (${new Date(now).toISOString()})`;
  return undefined;
}

/** A message a channel delivered with a time not believed, and the time it was given. */
export interface Retimed {
  channel: string;
  externalId: string;
  given: string;
  reason: 'unparseable' | 'before 2000' | 'ahead of arrival';
}

/**
 * Channel deliveries (webhooks, polls): a provider's time is taken unless it cannot be right —
 * unparseable, before 2000, or more than FUTURE_SKEW_MS ahead of arrival — and then the arrival
 * time is, so the message is never lost to its provider's clock. Each replaced time is returned
 * for the caller to log.
 */
export function believableTimes(
  messages: InboundMessage[],
  receivedAt: number,
): { messages: InboundMessage[]; retimed: Retimed[] } {
  const retimed: Retimed[] = [];
  const latest = receivedAt + FUTURE_SKEW_MS;
  const out = messages.map((m) => {
    const t = Date.parse(m.sentAt);
    const reason = !Number.isFinite(t)
      ? 'unparseable'
      : t < EARLIEST_SENT_AT
        ? 'before 2000'
        : t > latest
          ? 'ahead of arrival'
          : undefined;
    if (!reason) return m;
    retimed.push({ channel: m.channel, externalId: m.externalId, given: m.sentAt, reason });
    return { ...m, sentAt: new Date(receivedAt).toISOString() };
  });
  return { messages: out, retimed };
}
