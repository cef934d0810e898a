import { ConnectorError } from './connector-error.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One outbound HTTP call to a provider. A network failure or timeout is `temporary`; status
 * codes are left to the adapter, which knows its vendor's error bodies.
 */
export async function providerCall(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<HttpResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new ConnectorError('temporary', `provider unreachable: ${(err as Error).message}`);
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}
