/**
 * What a database error means for the caller: a transaction PostgreSQL aborted to break a
 * deadlock or a serialization conflict (run it again), or a database that cannot be reached
 * (tell the client to come back, do not log a bug).
 */

/** deadlock_detected, serialization_failure: the transaction was rolled back and may be rerun. */
const CONFLICT_CODES = new Set(['40P01', '40001']);

/**
 * admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down),
 * too_many_connections; and the socket errors of a server that is down or went away.
 */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

/** What node-postgres says when the server closes a connection under it. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
];

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isTransactionConflict(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && CONFLICT_CODES.has(code);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = codeOf(err);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(err.message))) return true;
  // A host name with several addresses (localhost: ::1 and 127.0.0.1) fails with every one.
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return false;
}

export interface RetryOptions {
  /** Runs in all, the first included. */
  attempts?: number;
  /** Upper bound of the first wait; it doubles per retry, each wait drawn at random below it. */
  baseDelayMs?: number;
  /** Told of each retry. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `run` (which must open and commit its own transaction, and do nothing but database work
 * in it, so that running it again is safe) until it is not aborted by a deadlock or serialization
 * conflict, a bounded number of times. The random wait (full jitter) keeps the two sides of a
 * deadlock from meeting again in step.
 */
export async function retryConflicts<T>(
  run: () => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const base = opts.baseDelayMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isTransactionConflict(err)) throw err;
      opts.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, Math.random() * base * 2 ** (attempt - 1)));
    }
  }
}
