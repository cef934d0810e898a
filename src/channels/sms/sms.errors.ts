import { obj, str } from '../channel.json.js';
import {
  type ConnectorError,
  type ConnectorErrorKind,
  httpFailure,
  httpStatusKind,
  type SecretForms,
  scrubbedHead,
} from '../connector-error.js';

/** Twilio error codes that say the recipient cannot be messaged: retrying never helps. */
const RECIPIENT_REFUSED: Record<number, string> = {
  21211: 'the To number is not a valid phone number',
  21408: 'SMS to this region is not enabled on the account',
  21610: 'the recipient replied STOP: they unsubscribed from this number',
  21612: 'the To number cannot be reached from this sender',
  21614: 'the To number is not a mobile number',
};

/**
 * What the codes of a delivery that failed after Twilio took it mean (status callbacks'
 * `ErrorCode`), beside the refusals above. twilio.com/docs/api/errors
 */
const DELIVERY_FAILED: Record<number, string> = {
  30003: 'the handset is unreachable (off, or out of coverage)',
  30004: 'the message was blocked (the recipient blocks this sender, or the carrier does)',
  30005: 'the number is unknown or no longer in service',
  30006: 'the number is a landline or its carrier cannot take SMS',
  30007: 'the carrier filtered the message as spam',
  30008: 'the carrier gave no reason',
  63018: 'the sender hit its messaging rate limit',
};

/** What a Twilio error code means for the agent, when the desk knows it. */
export function twilioCodeMeaning(code: number): string | undefined {
  return RECIPIENT_REFUSED[code] ?? DELIVERY_FAILED[code];
}

/** The kind a Twilio error code says, where it says more than the HTTP status. */
function twilioCodeKind(status: number, code: number | undefined): ConnectorErrorKind | undefined {
  if (code === 20429) return 'rate_limited';
  if (code === 20003) return 'auth_revoked';
  // Recipient refusals come with a 4xx; a 5xx stays temporary whatever code it carries.
  if (status < 500 && code && RECIPIENT_REFUSED[code])
    return code === 21610 || code === 21408 ? 'permission_missing' : 'bad_request';
  return undefined;
}

/**
 * Maps a Twilio REST error (`{code, message, more_info, status}`, twilio.com/docs/usage/twilios-response)
 * to the connector taxonomy. Twilio's codes decide where they are finer than the status: 20429 is
 * never processed and safe to retry after a pause; 20003 means the Account SID or Auth Token no
 * longer work; recipient errors (21211 invalid number, 21610 unsubscribed, …) are permanent.
 * Everything else is read from the HTTP status as for any provider.
 *
 * The message is `Twilio <status>/<code>`, with what the desk knows the code to mean; Twilio's
 * own words are the provider's text (`providerText`), which the stored error and the agent's
 * `failure.why` keep but logs leave out unless THROUGHLINE_LOG_BODIES: they echo the customer's
 * number and the message. `secrets` (`secretForms`) are blanked from both.
 */
export function fromTwilioError(
  status: number,
  body: string,
  retryAfter: string | null,
  now: number,
  secrets?: SecretForms,
): ConnectorError {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = obj(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  const code = typeof parsed?.code === 'number' ? parsed.code : undefined;
  const text = scrubbedHead(str(parsed?.message) ?? body, secrets).trim();
  const kind = twilioCodeKind(status, code) ?? httpStatusKind(status);
  const why = code ? RECIPIENT_REFUSED[code] : undefined;
  const what = `Twilio ${status}${code ? `/${code}` : ''}${why ? ` (${why})` : ''}`;
  return httpFailure(kind, what, status, retryAfter, now, text || undefined, secrets);
}
