import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outbound webhook signature: `X-Throughline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` (the Stripe scheme: the timestamp inside the MAC stops replays of old bodies).
 */
export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Verifies a signature made by signWebhook (receivers may use this; tests do). */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  nowMs: number,
  toleranceS = 300,
): boolean {
  const parts = Object.fromEntries(
    header.split(',').map((p) => p.split('=', 2) as [string, string]),
  );
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowMs / 1000 - t) > toleranceS || !parts.v1) return false;
  return hexEqual(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'), parts.v1);
}

/** `sha256=<hex>` or `v1=<hex>` style HMAC-SHA256 over the raw body (Jira, PagerDuty). */
export function verifyHmacHex(
  secret: string,
  raw: Buffer,
  given: string | undefined,
  prefix: string,
): boolean {
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(raw).digest('hex');
  // PagerDuty may send several comma-separated signatures during secret rotation.
  return given.split(',').some((g) => {
    const v = g.trim();
    return v.startsWith(prefix) && hexEqual(expected, v.slice(prefix.length));
  });
}

/** A SHA-256 MAC in hex: exactly 64 hex digits (Buffer.from(…, 'hex') stops at junk silently). */
const SHA256_HEX = /^[0-9a-f]{64}$/i;

function hexEqual(a: string, b: string): boolean {
  if (!SHA256_HEX.test(b)) return false;
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
