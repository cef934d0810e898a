import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header X puts on every Account Activity delivery. */
export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/**
 * The answer to X's challenge-response check (CRC): `sha256=` + base64 HMAC-SHA256 of the
 * crc_token keyed with the consumer (API key) secret. X sends it when the webhook is registered
 * and about hourly; a wrong answer disables the webhook.
 * developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 */
export function crcResponseToken(crcToken: string, consumerSecret: string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(crcToken, 'utf8').digest('base64')}`;
}

/**
 * Checks `x-twitter-webhooks-signature` (same construction as the CRC, over the raw request
 * body bytes) in constant time. Anything else — missing, wrong prefix, wrong length — is false.
 */
export function verifyXSignature(
  rawBody: Buffer,
  header: string | undefined,
  consumerSecret: string,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', consumerSecret).update(rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signs a body the way X does; for our fake provider and tests. */
export function signXBody(rawBody: Buffer | string, consumerSecret: string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(rawBody).digest('base64')}`;
}
