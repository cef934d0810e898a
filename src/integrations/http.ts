import { ConnectorError, fromHttpStatus, scrubSecrets } from '../channels/connector-error.js';

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * Credentials to blank out of any provider text kept in an error (the outbox's last error and
   * the logs): some servers and gateways echo the request or the credentials they refused.
   */
  secrets?: readonly (string | undefined)[];
}

/**
 * Sends JSON (POST unless told otherwise; a GET sends no body, pass `undefined`) and maps
 * failures to the connector taxonomy; returns the parsed answer.
 */
export async function sendJson(
  url: string,
  body: unknown,
  opts: SendOptions = {},
): Promise<unknown> {
  const method = opts.method ?? 'POST';
  const raw = body === undefined ? undefined : JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(raw === undefined ? {} : { 'content-type': 'application/json' }),
        accept: 'application/json',
        ...opts.headers,
      },
      body: raw,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ConnectorError(
      'temporary',
      scrubSecrets(
        `cannot reach ${new URL(url).host}: ${(err as Error).message}`,
        opts.secrets ?? [],
      ),
    );
  }
  const text = await res.text();
  if (!res.ok)
    throw fromHttpStatus(
      res.status,
      scrubSecrets(text, opts.secrets ?? []),
      res.headers.get('retry-after'),
      Date.now(),
    );
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
