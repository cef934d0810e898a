import { retryAfterMs } from '../channel.http.js';
import { obj, str } from '../channel.json.js';
import { ConnectorError } from '../connector-error.js';

/** Twilio error codes that say the recipient cannot be messaged: retrying never helps. */
const RECIPIENT_REFUSED: Record<number, string> = {
  21211: 'the To number is not a valid phone number',
  21408: 'SMS to this region is not enabled on the account',
  21610: 'the recipient replied STOP: they unsubscribed from this number',
  21612: 'the To number cannot be reached from this sender',
  21614: 'the To number is not a mobile number',
};

/**
 * Maps a Twilio REST error (`{code, message, more_info, status}`, twilio.com/docs/usage/twilios-response)
 * to the connector taxonomy: 429/20429 is never processed and safe to retry after a pause;
 * 401/20003 means the Account SID or Auth Token no longer work; 5xx is retried; recipient errors
 * (21211 invalid number, 21610 unsubscribed, …) and other 4xx are permanent.
 */
export function fromTwilioError(
  status: number,
  body: string,
  retryAfter: string | null,
  now: number,
): ConnectorError {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = obj(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  const code = typeof parsed?.code === 'number' ? parsed.code : undefined;
  const text = (str(parsed?.message) ?? body).slice(0, 300);
  const what = `Twilio ${status}${code ? `/${code}` : ''}: ${text}`;
  if (status === 429 || code === 20429)
    return new ConnectorError('rate_limited', what, retryAfterMs(retryAfter, now), status);
  if (status === 401 || code === 20003)
    return new ConnectorError('auth_revoked', what, undefined, status);
  if (status >= 500) return new ConnectorError('temporary', what, undefined, status);
  if (code && RECIPIENT_REFUSED[code]) {
    const kind = code === 21610 || code === 21408 ? 'permission_missing' : 'bad_request';
    return new ConnectorError(kind, `${what} (${RECIPIENT_REFUSED[code]})`, undefined, status);
  }
  if (status === 403) return new ConnectorError('permission_missing', what, undefined, status);
  if (status >= 400) return new ConnectorError('bad_request', what, undefined, status);
  return new ConnectorError('unknown', what, undefined, status);
}
