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
 * Outbound requests do not follow redirects (`redirect: 'manual'`): fetch would turn a POST
 * answered 301 or 302 into a GET without its body, which the receiver answers 200, and the event
 * was marked delivered though it was lost; a 307 or 308 would carry the body (and a Jira token,
 * a signature) to a URL the admin never gave. A 3xx is a failure naming the status and where it
 * points, so the admin can set the URL there. It is not retried, like a 404: the URL is
 * configured wrong and redirects the same way on every try, so retrying would only hide the
 * failure from the delivery status for a day. Returns null for any other status.
 */
export function redirectFailure(
  res: Response,
  secrets: readonly (string | undefined)[],
): ConnectorError | null {
  if (res.status < 300 || res.status > 399) return null;
  const location = res.headers.get('location');
  const where = location ? `to ${location}` : 'with no Location';
  return new ConnectorError(
    'bad_request',
    scrubSecrets(
      `redirected (${res.status}) ${where}: redirects are not followed; set the URL to where it points`,
      secrets,
    ),
    undefined,
    res.status,
  );
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
      redirect: 'manual',
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
  const moved = redirectFailure(res, opts.secrets ?? []);
  if (moved) throw moved;
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
