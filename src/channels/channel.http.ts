import { ConnectorError, type SecretForms } from './connector-error.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One outbound HTTP call to a provider. A network failure or timeout is `temporary` (its text
 * with `secrets` blanked, as a proxy's may name what it was sent); status codes are left to the
 * adapter, which knows its vendor's error bodies.
 */
export async function providerCall(
  url: string,
  init: {
    method: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
    secrets?: SecretForms;
  },
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
    const why = `provider unreachable: ${(err as Error).message}`;
    throw new ConnectorError('temporary', why, undefined, undefined, undefined, init.secrets);
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}
