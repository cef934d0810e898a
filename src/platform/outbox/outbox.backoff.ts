/* How the outbox waits between attempts, and how a handler asks it to wait without trying. */

/**
 * Thrown by a handler that must not run yet (an escalation waiting for an earlier one of its
 * problem): the row is tried again after `afterMs`, and the wait is no attempt, so it neither
 * backs off nor brings the row nearer to giving up.
 */
export class OutboxDeferred extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
    this.name = 'OutboxDeferred';
  }
}

export const OUTBOX_RETRY_FOR_MS = 24 * 3_600_000;
export const OUTBOX_MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The wait after a failed attempt: 2 s doubling (a blip is retried at once, so a healthy
 * provider's notice still lands within minutes), at most `maxMs` (15 minutes by default) apart
 * from the tenth attempt on, which is about 17 minutes in. With the 24-hour budget a row is tried
 * some 100 times: an outage of a few hours costs at most 15 minutes once the provider is back.
 */
export function outboxBackoffMs(attempt: number, maxMs = OUTBOX_MAX_BACKOFF_MS): number {
  return Math.min(2000 * 2 ** Math.min(attempt - 1, 30), maxMs);
}
