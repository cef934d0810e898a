import { providerCall } from '../channel.http.js';
import { obj, parseJsonExact, str } from '../channel.json.js';
import { ConnectorError } from '../connector-error.js';
import { appSecretProof } from './meta.verify.js';

export interface GraphOptions {
  baseUrl: string;
  version: string;
  appSecret: string;
}

/**
 * Graph API calls with the token in the Authorization header (kept out of URLs and logs) and
 * `appsecret_proof`, which Meta requires when "Require App Secret" is on.
 */
export async function graphCall(
  o: GraphOptions,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  query: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  if (!token)
    throw new ConnectorError('not_configured', 'the Meta channel has no access token for this');
  const base = o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`;
  const url = new URL(`${o.version}/${path}`, base);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  url.searchParams.set('appsecret_proof', appSecretProof(token, o.appSecret));
  const res = await providerCall(url.toString(), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = (obj(parseJsonExact(res.text)) ?? {}) as Record<string, unknown>;
  } catch {
    // not JSON: judged by status alone
  }
  if (res.status >= 200 && res.status < 300 && !parsed.error) return parsed;
  throw graphError(res.status, parsed, res.text);
}

// Graph error codes: developers.facebook.com/docs/graph-api/guides/error-handling,
// …/messenger-platform/error-codes, …/whatsapp/cloud-api/support/error-codes
const AUTH = new Set([102, 190, 463, 467]);
const RATE = new Set([
  4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80007, 80008, 130429, 131048, 131056,
]);
const PERMISSION = new Set([3, 10, 200, 230, 551, 131047, 131050]);
/** Messenger subcodes for "outside the allowed window" and "person not available". */
const WINDOW_SUBCODES = new Set([2018278, 2018108, 1545041]);

export function graphError(
  status: number,
  body: Record<string, unknown>,
  text: string,
): ConnectorError {
  const e = obj(body.error);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const sub = typeof e?.error_subcode === 'number' ? e.error_subcode : undefined;
  const message = `${str(e?.message) ?? text.slice(0, 300)}${code !== undefined ? ` (code ${code}${sub ? `/${sub}` : ''})` : ''}`;
  if (code !== undefined && AUTH.has(code))
    return new ConnectorError(
      'auth_revoked',
      `Meta refused the token: ${message}`,
      undefined,
      status,
    );
  if (status === 429 || (code !== undefined && RATE.has(code))) {
    // Graph sends no Retry-After; its usage headers reset within the hour. Wait a minute.
    return new ConnectorError('rate_limited', `Meta rate limit: ${message}`, 60_000, status);
  }
  if (
    (sub !== undefined && WINDOW_SUBCODES.has(sub)) ||
    (code !== undefined && (PERMISSION.has(code) || (code >= 200 && code < 300)))
  ) {
    return new ConnectorError(
      'permission_missing',
      `Meta does not allow this: ${message}`,
      undefined,
      status,
    );
  }
  if (status >= 500 || e?.is_transient === true || code === 1 || code === 2) {
    return new ConnectorError('temporary', `Meta error ${status}: ${message}`, undefined, status);
  }
  if (status === 401)
    return new ConnectorError(
      'auth_revoked',
      `Meta refused the token: ${message}`,
      undefined,
      status,
    );
  return new ConnectorError(
    'bad_request',
    `Meta rejected the request (${status}): ${message}`,
    undefined,
    status,
  );
}
