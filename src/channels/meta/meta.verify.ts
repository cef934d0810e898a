import { createHmac, timingSafeEqual } from 'node:crypto';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`,
 * on every webhook POST. It must be computed over the exact bytes received: Meta escapes
 * non-ASCII as \uXXXX, so a re-serialised body would not match.
 * developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads
 */
export function verifyMetaSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const hex = header.slice('sha256='.length);
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

export function signMetaBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** What the subscription handshake answers: the challenge, or why not and with what status. */
export type HandshakeResult =
  | { challenge: string }
  | { status: 400 | 403; code: 'bad_request' | 'forbidden'; message: string };

/**
 * The subscription handshake: Meta GETs `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 * and expects the challenge echoed back when the token is ours. A request that is not a
 * subscription (another or no `hub.mode`) or has no challenge to echo is malformed (400, saying
 * which); only a wrong or missing token is "verify token mismatch" (403).
 */
export function metaHandshake(
  query: Record<string, unknown>,
  verifyToken: string,
): HandshakeResult {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  const bad = (message: string): HandshakeResult => ({ status: 400, code: 'bad_request', message });
  if (mode !== 'subscribe') {
    return bad(
      typeof mode === 'string'
        ? `hub.mode ${mode} is not supported: only subscribe is`
        : 'hub.mode is missing: only subscribe is supported',
    );
  }
  if (typeof challenge !== 'string' || challenge === '') return bad('hub.challenge is missing');
  const a = Buffer.from(typeof token === 'string' ? token : '');
  const b = Buffer.from(verifyToken);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return { status: 403, code: 'forbidden', message: 'verify token mismatch' };
  return { challenge };
}

/** appsecret_proof: hex HMAC-SHA256 of the access token keyed with the app secret (Graph API security). */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}
