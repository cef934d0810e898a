import { retryAfterMs } from './retry-after.js';

/**
 * The one taxonomy every channel adapter maps provider failures into, so retry and back-off
 * logic never needs to know a vendor.
 */
export type ConnectorErrorKind =
  /** Network error, timeout, 5xx: retry with back-off. */
  | 'temporary'
  /** 429 or a provider quota: retry after `retryAfterMs`. */
  | 'rate_limited'
  /** Credentials revoked or expired: stop until an admin reconnects the channel. */
  | 'auth_revoked'
  /**
   * The provider (or its messaging-window rule, which the desk applies before calling) refuses
   * for want of a permission: do not retry.
   */
  | 'permission_missing'
  /**
   * The desk has nothing to send with: no channel of the kind (no SMS number, no mailbox), or a
   * channel record without the credential this needs. No provider was asked, so nothing is
   * wrong with one; an admin must add it. Do not retry; another of the customer's identities may
   * still reach them.
   */
  | 'not_configured'
  /** The provider refused the request as invalid: do not retry. */
  | 'bad_request'
  /** Anything else: retried a few times, then failed. */
  | 'unknown';

/** Every kind once: what the API documents a failed message's `error` as (OpenAPI). */
const KINDS: Record<ConnectorErrorKind, true> = {
  temporary: true,
  rate_limited: true,
  auth_revoked: true,
  permission_missing: true,
  not_configured: true,
  bad_request: true,
  unknown: true,
};
export const CONNECTOR_ERROR_KINDS = Object.keys(KINDS) as ConnectorErrorKind[];

export class ConnectorError extends Error {
  /** The message without the provider's text: what a log line may carry (`loggableError`). */
  readonly summary: string;
  /**
   * `providerText` (an error body the provider answered) is added to the message, which is
   * stored where admins read errors (the outbox's last error, a channel's or integration's
   * status), but not to `summary`: a receiver's body can echo what it was sent (a problem
   * title, a customer's words), and logs carry none unless THROUGHLINE_LOG_BODIES is set.
   */
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    readonly providerStatus?: number,
    readonly providerText?: string,
  ) {
    super(providerText === undefined ? message : `${message}: ${providerText}`);
    this.summary = message;
    this.name = 'ConnectorError';
  }
  get retryable(): boolean {
    return this.kind === 'temporary' || this.kind === 'rate_limited' || this.kind === 'unknown';
  }
}

/**
 * What a channel's own rule refuses before any call: the messaging window, or the length; or
 * the desk's having no way to send on the channel's kind at all (`not_configured`).
 */
export type RuleRefusal = 'window_closed' | 'too_long' | 'not_configured';

/**
 * A channel's own rule refused the message (the messaging window is closed, the text is longer
 * than the channel takes), found without asking the provider. The sender throws it at send time,
 * and its `Sender.check` before a reply is queued, so the agent is answered at once (422) with
 * `refusal` and `rule` to switch on; nothing about the channel's health.
 */
export class RuleError extends ConnectorError {
  constructor(
    kind: 'permission_missing' | 'bad_request' | 'not_configured',
    readonly refusal: RuleRefusal,
    /** Which rule: `meta_24h`, `whatsapp_24h`, `x_public_length`, `sms_length`, … */
    readonly rule: string,
    message: string,
  ) {
    super(kind, message);
    this.name = 'RuleError';
  }
}

/**
 * The kind of failure an HTTP status says, for any provider: 429 is rate-limited, 401 means the
 * credentials no longer work, 403 a missing permission, 5xx is temporary, another 4xx is a bad
 * request (408, a timeout, is temporary). Adapters whose vendor has finer error codes check those first and fall back to this.
 */
export function httpStatusKind(status: number): ConnectorErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'auth_revoked';
  if (status === 403) return 'permission_missing';
  // 408 Request Timeout: the server gave up waiting for the request (a slow or broken
  // connection, a busy gateway), not a refusal of it; RFC 9110 §15.5.9 lets the client repeat it.
  if (status === 408) return 'temporary';
  if (status >= 500) return 'temporary';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

/**
 * A provider's failure of `kind` with its Retry-After honoured. RFC 9110 §10.2.3 sends the header
 * with 429 and 503, so it is read for the kinds that are retried after a pause.
 */
export function httpFailure(
  kind: ConnectorErrorKind,
  message: string,
  status: number,
  retryAfter: string | null | undefined,
  now: number,
  providerText?: string,
): ConnectorError {
  const wait =
    kind === 'rate_limited' || kind === 'temporary' ? retryAfterMs(retryAfter, now) : undefined;
  return new ConnectorError(kind, message, wait, status, providerText);
}

const LABEL: Record<ConnectorErrorKind, (status: number) => string> = {
  rate_limited: () => 'rate limited',
  auth_revoked: () => 'unauthorised',
  permission_missing: () => 'forbidden',
  // No HTTP status says it (`httpStatusKind` never answers it); here for completeness.
  not_configured: () => 'not configured',
  temporary: (s) => `provider error ${s}`,
  bad_request: (s) => `rejected ${s}`,
  unknown: (s) => `unexpected status ${s}`,
};

/** Maps an HTTP status (and Retry-After header) to the taxonomy; for adapters over plain HTTP. */
export function fromHttpStatus(
  status: number,
  body: string,
  retryAfter: string | null | undefined,
  now: number,
): ConnectorError {
  const kind = httpStatusKind(status);
  // The body stays in the message (as `<label>: <body>`, for the stored error) and is kept apart
  // as the provider's text, which logs leave out (`loggableError`).
  return httpFailure(kind, LABEL[kind](status), status, retryAfter, now, body.slice(0, 300));
}

/**
 * The error as a log line carries it: the kind and the message without the provider's text
 * (`ConnectorError.providerText`), unless `logBodies` (THROUGHLINE_LOG_BODIES) lets it in.
 */
export function loggableError(ce: ConnectorError, logBodies: boolean): string {
  return `${ce.kind}: ${logBodies ? ce.message : ce.summary}`;
}

/**
 * `text` with each of a channel's secrets blanked out. Provider text (an error body, an SMTP
 * reply) ends up in the outbox's last error, the logs and the channel's health; some servers and
 * gateways echo the credentials they refused, so adapters pass it through this first.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
