import { createHmac, timingSafeEqual } from 'node:crypto';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * X-Twilio-Signature: base64 HMAC-SHA1, keyed with the Auth Token, over the full URL Twilio
 * requested followed by each form parameter's name and value, names sorted, a repeated name's
 * distinct values sorted (twilio.com/docs/usage/security, as the official validators do).
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  let s = url;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) s += name + value;
  }
  return createHmac('sha1', authToken).update(s, 'utf8').digest('base64');
}

/** The URL with the scheme's default port added when absent and removed when present. */
function portVariants(url: string): string[] {
  const u = new URL(url);
  const dflt = u.protocol === 'https:' ? '443' : '80';
  // new URL() drops a default port, so rebuild the authority by hand.
  const rest = url.slice(url.indexOf('//') + 2);
  const cut = rest.search(/[/?#]|$/);
  const authority = rest.slice(0, cut);
  const tail = rest.slice(cut);
  const host = authority.replace(/:\d+$/, '');
  const out = new Set([url, `${u.protocol}//${host}${tail}`]);
  if (!/:\d+$/.test(authority)) out.add(`${u.protocol}//${host}:${dflt}${tail}`);
  return [...out];
}

/**
 * Checks a webhook's signature against the URL we were called on. Twilio may sign the URL with
 * or without the scheme's default port (its validators accept both), so both are tried; the
 * comparison takes constant time.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return portVariants(url).some((u) => {
    const want = Buffer.from(twilioSignature(authToken, u, params));
    return want.length === given.length && timingSafeEqual(want, given);
  });
}
