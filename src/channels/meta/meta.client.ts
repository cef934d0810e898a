import { providerCall } from '../channel.http.js';
import { obj, parseJsonExact, str } from '../channel.json.js';
import {
  ConnectorError,
  type ConnectorErrorKind,
  type SecretForms,
  scrubbedHead,
  secretForms,
} from '../connector-error.js';
import { appSecretProof } from './meta.verify.js';

export interface GraphOptions {
  baseUrl: string;
  version: string;
  appSecret: string;
  /** The channel's other secrets (the other token, the verify token), blanked from error text. */
  otherSecrets?: readonly unknown[];
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
  const proof = appSecretProof(token, o.appSecret);
  url.searchParams.set('appsecret_proof', proof);
  // What the call carries (the token, so `Bearer <token>`; the proof) and the channel's other
  // secrets: none of them may reach the error text agents, admins and logs read.
  const secrets = secretForms([token, o.appSecret, ...(o.otherSecrets ?? [])], [proof]);
  const res = await providerCall(url.toString(), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    secrets,
  });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = (obj(parseJsonExact(res.text)) ?? {}) as Record<string, unknown>;
  } catch {
    // not JSON: judged by status alone
  }
  if (res.status >= 200 && res.status < 300 && !parsed.error) return parsed;
  throw graphError(res.status, parsed, res.text, secrets);
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

/**
 * A Graph failure in the connector taxonomy. The message says the kind, the status and Graph's
 * code (`code N/subcode`); Graph's own words are the provider's text (`providerText`), kept where
 * agents and admins read the error but logged only with THROUGHLINE_LOG_BODIES (they can quote
 * what was sent). `secrets` (`secretForms`) are blanked from both.
 */
export function graphError(
  status: number,
  body: Record<string, unknown>,
  text: string,
  secrets?: SecretForms,
): ConnectorError {
  const e = obj(body.error);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const sub = typeof e?.error_subcode === 'number' ? e.error_subcode : undefined;
  const said = scrubbedHead(str(e?.message) ?? text, secrets).trim() || undefined;
  const codes = code !== undefined ? ` (code ${code}${sub ? `/${sub}` : ''})` : '';
  const fail = (kind: ConnectorErrorKind, what: string, wait?: number) =>
    new ConnectorError(kind, `${what}${codes}`, wait, status, said, secrets);
  if (code !== undefined && AUTH.has(code)) return fail('auth_revoked', 'Meta refused the token');
  // Graph sends no Retry-After; its usage headers reset within the hour. Wait a minute.
  if (status === 429 || (code !== undefined && RATE.has(code)))
    return fail('rate_limited', 'Meta rate limit', 60_000);
  if (
    (sub !== undefined && WINDOW_SUBCODES.has(sub)) ||
    (code !== undefined && (PERMISSION.has(code) || (code >= 200 && code < 300)))
  ) {
    return fail('permission_missing', 'Meta does not allow this');
  }
  if (status >= 500 || e?.is_transient === true || code === 1 || code === 2)
    return fail('temporary', `Meta error ${status}`);
  if (status === 401) return fail('auth_revoked', 'Meta refused the token');
  return fail('bad_request', `Meta rejected the request (${status})`);
}
