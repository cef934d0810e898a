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
  readonly providerText?: string;
  /**
   * With `secrets` (`secretForms`: the channel's credentials and what was built from them), each
   * is blanked from the message and the provider's text before anything keeps them: a gateway
   * may echo the credentials it refused, and the text reaches agents, admins and logs.
   */
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    readonly providerStatus?: number,
    providerText?: string,
    secrets?: SecretForms,
  ) {
    const summary = secrets ? scrubForms(message, secrets) : message;
    const text =
      providerText === undefined || !secrets ? providerText : scrubForms(providerText, secrets);
    super(text === undefined ? summary : `${summary}: ${text}`);
    this.summary = summary;
    this.providerText = text;
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
  secrets?: SecretForms,
): ConnectorError {
  const wait =
    kind === 'rate_limited' || kind === 'temporary' ? retryAfterMs(retryAfter, now) : undefined;
  return new ConnectorError(kind, message, wait, status, providerText, secrets);
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
  secrets?: SecretForms,
): ConnectorError {
  const kind = httpStatusKind(status);
  // The body stays in the message (as `<label>: <body>`, for the stored error) and is kept apart
  // as the provider's text, which logs leave out (`loggableError`).
  return httpFailure(
    kind,
    LABEL[kind](status),
    status,
    retryAfter,
    now,
    scrubbedHead(body, secrets),
    secrets,
  );
}

/**
 * The error as a log line carries it: the kind and the message without the provider's text
 * (`ConnectorError.providerText`), unless `logBodies` (THROUGHLINE_LOG_BODIES) lets it in.
 */
export function loggableError(ce: ConnectorError, logBodies: boolean): string {
  return `${ce.kind}: ${logBodies ? ce.message : ce.summary}`;
}

/** A channel's credentials in every form the desk sends them in: built by `secretForms`. */
export type SecretForms = readonly string[];

/** Padded and not, so that an echo that drops the `=` padding is blanked too. */
const b64 = (s: string) => {
  const padded = Buffer.from(s, 'utf8').toString('base64');
  return [padded, padded.replace(/=+$/, ''), Buffer.from(s, 'utf8').toString('base64url')];
};

/**
 * Every form in which a channel's credentials can come back in a provider's error text: each of
 * `secrets` as it is, URL-encoded and base64-encoded, and each value the adapter built from them
 * and sent (`sent`: an `Authorization` header such as `Basic base64(sid:token)` or
 * `Bearer <token>`, whole and without its scheme; Meta's `appsecret_proof`), which contains no
 * secret as such. Longest first, so a form is blanked whole before a shorter one inside it.
 */
export function secretForms(
  secrets: readonly unknown[],
  sent: readonly (string | undefined)[] = [],
): SecretForms {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || !s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    // As a JSON string would carry it ("\/" for "/", escaped quotes and backslashes): an error
    // body that quotes the request it refused is often JSON.
    const json = JSON.stringify(s).slice(1, -1);
    forms.add(json);
    forms.add(json.replaceAll('/', '\\/'));
    for (const f of b64(s)) forms.add(f);
  }
  for (const v of sent) {
    if (!v) continue;
    forms.add(v);
    const credential = /^[A-Za-z][\w-]* +(\S+)$/.exec(v)?.[1];
    if (credential) for (const f of [credential, credential.replace(/=+$/, '')]) forms.add(f);
  }
  forms.delete('');
  return [...forms].sort((a, b) => b.length - a.length);
}

/** `text` with each of `forms` (`secretForms`) blanked out as `***`. */
export function scrubForms(text: string, forms: SecretForms): string {
  let out = text;
  for (const f of forms) out = out.split(f).join('***');
  return out;
}

/**
 * `text` with each of a channel's secrets blanked out, in every form `secretForms` knows (and
 * the values in `sent` built from them). Provider text (an error body, an SMTP reply) ends up in
 * the outbox's last error, the logs and the channel's health; some servers and gateways echo the
 * credentials they refused, so adapters pass it through this first.
 */
export function scrubSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  sent: readonly (string | undefined)[] = [],
): string {
  return scrubForms(text, secretForms(secrets, sent));
}

/**
 * The first `n` characters of a provider's text, its credentials blanked first: blanking after
 * cutting would leave the head of a secret that crosses the cut.
 */
export function scrubbedHead(text: string, secrets: SecretForms | undefined, n = 300): string {
  return (secrets ? scrubForms(text, secrets) : text).slice(0, n);
}
