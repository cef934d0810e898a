import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header X puts on every Account Activity delivery. */
export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/**
 * What a CRC token may look like. X's are short random base64-style strings; a space is let in
 * because `+` sent unencoded in the query string reads as one (courier's published vector is
 * `crc_token=test+token`). The point of the limit is security, not tidiness: the CRC answer is
 * HMAC(consumer secret, token), the very construction that signs deliveries, so a token that could
 * be a JSON body would make our public GET a signing oracle for forged deliveries. No character
 * here is `{`, `"`, `[`, `:` or `,`, so no token can be a JSON object (and `verifyXSignature`
 * refuses any body that could be a token, which keeps the two sets apart by construction).
 */
export const CRC_TOKEN_PATTERN = '^[A-Za-z0-9+/=_ -]{1,128}$';
const CRC_TOKEN = new RegExp(CRC_TOKEN_PATTERN);

/** Whether `token` may be answered as a CRC challenge. */
export function isCrcToken(token: string): boolean {
  return CRC_TOKEN.test(token);
}

/**
 * The answer to X's challenge-response check (CRC): `sha256=` + base64 HMAC-SHA256 of the
 * crc_token keyed with the consumer (API key) secret. X sends it when the webhook is registered
 * and about hourly; a wrong answer disables the webhook. Throws for a token `isCrcToken` refuses.
 * developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 */
export function crcResponseToken(crcToken: string, consumerSecret: string): string {
  if (!isCrcToken(crcToken)) throw new Error('not a CRC token');
  return `sha256=${createHmac('sha256', consumerSecret).update(crcToken, 'utf8').digest('base64')}`;
}

/**
 * Checks `x-twitter-webhooks-signature` (same construction as the CRC, over the raw request
 * body bytes) in constant time. Anything else — missing, wrong prefix, wrong length — is false,
 * and so is a body that could have been a CRC token: its signature may have come from our own
 * CRC answer rather than from X (a real delivery is a JSON object, which no token can be).
 */
export function verifyXSignature(
  rawBody: Buffer,
  header: string | undefined,
  consumerSecret: string,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  if (rawBody.length <= 128 && isCrcToken(rawBody.toString('latin1'))) return false;
  const expected = createHmac('sha256', consumerSecret).update(rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signs a body the way X does; for our fake provider and tests. */
export function signXBody(rawBody: Buffer | string, consumerSecret: string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(rawBody).digest('base64')}`;
}
