import { createHmac } from 'node:crypto';
import { ConnectorError, fromHttpStatus } from '../connector-error.js';
import type { Sender } from '../sender.js';

export const SIGNATURE_HEADER = 'x-throughline-signature';
export const TIMESTAMP_HEADER = 'x-throughline-timestamp';

/**
 * Signature of an outbound webhook: hex HMAC-SHA256 over `<timestamp>.<raw body>`. Including the
 * timestamp lets receivers reject replays older than a few minutes.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The generic `api` channel delivers replies by POSTing them, signed, to the configured URL; web
 * chat does the same to the chat backend (which holds the visitor's session and shows them).
 * The receiver answers 2xx (optionally `{"externalId": "…"}`) or an error that maps to the
 * connector taxonomy.
 */
export function apiSender(opts: { url: string; secret: string; timeoutMs?: number }): Sender {
  return async (msg, idempotencyKey) => {
    const body = JSON.stringify({
      type: 'message.outbound',
      channel: msg.channel,
      messageId: msg.messageId,
      caseId: msg.caseId,
      to: msg.to,
      inReplyTo: msg.inReplyTo,
      visibility: msg.visibility,
      text: msg.text,
    });
    const ts = String(Math.floor(Date.now() / 1000));
    let res: Response;
    try {
      res = await fetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          [TIMESTAMP_HEADER]: ts,
          [SIGNATURE_HEADER]: signWebhook(opts.secret, ts, body),
        },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ConnectorError('temporary', `delivery failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw fromHttpStatus(res.status, text, res.headers.get('retry-after'), Date.now());
    try {
      const parsed = JSON.parse(text) as { externalId?: unknown };
      if (typeof parsed.externalId === 'string' && parsed.externalId)
        return { externalId: parsed.externalId };
    } catch {
      // A 2xx without JSON is still a delivery.
    }
    return {};
  };
}
