/*
 * What a request log line may say about the URL. Query strings carry what people typed and
 * what providers pass: a case search (`q=` a customer's name, e-mail or phone), Meta's
 * `hub.verify_token` (a secret), X's `crc_token`. Path segments mostly hold ids, but a survey
 * token is its only credential, in the page's path and in the answer's (`/api/v1/csat/<token>`).
 * The log keeps the path (without survey tokens) and the parameter names, and the values only of
 * parameters that are list mechanics.
 */

const KEPT = new Set(['limit', 'status', 'channel', 'topic', 'kind', 'hub.mode', 'speed']);
/** A path segment after one of these is a credential: a survey token, in the page's URL (`/csat/…`)
 * and in the API's (`/api/v1/csat/…`). Compared decoded and in any case, as a router might. */
const SECRET_AFTER = new Set(['csat']);

function redactPath(path: string): string {
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    if (SECRET_AFTER.has(safeDecode(segments[i - 1]).toLowerCase()) && segments[i] !== '') {
      segments[i] = '[redacted]';
    }
  }
  return segments.join('/');
}

export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  const path = redactPath(at < 0 ? url : url.slice(0, at));
  if (at < 0) return path;
  const parts = url
    .slice(at + 1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const key = eq < 0 ? p : p.slice(0, eq);
      if (eq < 0) return key;
      return KEPT.has(safeDecode(key)) ? p : `${key}=[redacted]`;
    });
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
