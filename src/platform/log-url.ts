/*
 * What a request log line may say about the URL. Query strings carry what people typed and
 * what providers pass: a case search (`q=` a customer's name, e-mail or phone), Meta's
 * `hub.verify_token` (a secret), X's `crc_token`. Path segments mostly hold ids, but a survey
 * link's token is its only credential. The log keeps the path and the parameter names, and the
 * values only of parameters that are list mechanics.
 */

const KEPT = new Set(['limit', 'status', 'channel', 'topic', 'kind', 'hub.mode', 'speed']);
const SECRET_PATH = /^(\/csat\/)[^/?#]+/;

export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at)).replace(SECRET_PATH, '$1[redacted]');
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
