import { ConnectorError, fromHttpStatus } from '../channels/connector-error.js';

/** POSTs/PUTs JSON and maps failures to the connector taxonomy; returns the parsed answer. */
export async function sendJson(
  url: string,
  body: unknown,
  opts: { method?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<unknown> {
  const raw = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: raw,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ConnectorError(
      'temporary',
      `cannot reach ${new URL(url).host}: ${(err as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw fromHttpStatus(res.status, text, res.headers.get('retry-after'), Date.now());
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
