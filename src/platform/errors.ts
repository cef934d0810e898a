/**
 * The one application error type. `code` is a stable string clients may switch on; each code
 * maps to one HTTP status in the error handler. Add codes here, with what they mean.
 */
export const ERROR_CODES = {
  /** The request body or parameters failed validation. */
  bad_request: 400,
  /** Missing or invalid credentials. */
  unauthenticated: 401,
  /** Authenticated, but the role may not do this. */
  forbidden: 403,
  /** No such resource (or not visible to the caller). */
  not_found: 404,
  /** The resource changed since the client read it (optimistic concurrency). */
  conflict: 409,
  /** Body larger than the limit. */
  payload_too_large: 413,
  /** Content-Type not accepted. */
  unsupported_media_type: 415,
  /** A state transition that the lifecycle does not allow. */
  invalid_transition: 422,
  /**
   * A reply the channel's messaging window refuses (Meta's 24 hours or 7 days, WhatsApp's 24
   * hours without a template, one private reply per comment); `details.rule` says which.
   */
  window_closed: 422,
  /** A reply longer than its channel takes (as the channel counts); `details.rule` says which. */
  too_long: 422,
  /**
   * A reply on a kind of channel the desk cannot send on at all (no sender for it: voice, or
   * `api`/`webchat` without an outbound URL); `details.rule` is `no_sender`.
   */
  not_configured: 422,
  /** Too many requests; retry later. */
  rate_limited: 429,
  /** The database is unreachable or not migrated. */
  unavailable: 503,
  /** The database cannot be reached now (down, restarting, out of connections); retry later. */
  database_unavailable: 503,
  /** A bug: logged with a request id, details hidden from the client. */
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const badRequest = (message: string, details?: unknown) =>
  new AppError('bad_request', message, details);
