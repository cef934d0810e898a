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
  /** The app lacks a permission or the messaging window is closed: do not retry. */
  | 'permission_missing'
  /** The provider refused the request as invalid: do not retry. */
  | 'bad_request'
  /** Anything else: retried a few times, then failed. */
  | 'unknown';

export class ConnectorError extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    readonly providerStatus?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
  get retryable(): boolean {
    return this.kind === 'temporary' || this.kind === 'rate_limited' || this.kind === 'unknown';
  }
}

/** Maps an HTTP status (and Retry-After header) to the taxonomy; for adapters over plain HTTP. */
export function fromHttpStatus(
  status: number,
  body: string,
  retryAfter?: string | null,
): ConnectorError {
  const snippet = body.slice(0, 300);
  if (status === 429) {
    const secs = Number(retryAfter);
    return new ConnectorError(
      'rate_limited',
      `rate limited: ${snippet}`,
      Number.isFinite(secs) ? secs * 1000 : undefined,
      status,
    );
  }
  if (status === 401)
    return new ConnectorError('auth_revoked', `unauthorised: ${snippet}`, undefined, status);
  if (status === 403)
    return new ConnectorError('permission_missing', `forbidden: ${snippet}`, undefined, status);
  if (status >= 500)
    return new ConnectorError(
      'temporary',
      `provider error ${status}: ${snippet}`,
      undefined,
      status,
    );
  if (status >= 400)
    return new ConnectorError('bad_request', `rejected ${status}: ${snippet}`, undefined, status);
  return new ConnectorError('unknown', `unexpected status ${status}`, undefined, status);
}
