import { providerCall } from '../channel.http.js';
import { obj, parseJsonExact, str } from '../channel.json.js';
import type { RateLimitState } from '../channel.state.js';
import {
  ConnectorError,
  type ConnectorErrorKind,
  httpStatusKind,
  type SecretForms,
  scrubbedHead,
  secretForms,
} from '../connector-error.js';
import { retryAfterMs } from '../retry-after.js';

export interface XClientOptions {
  baseUrl: string;
  /** App-only OAuth 2.0 bearer token (search). */
  bearerToken?: string;
  /** OAuth 2.0 user-context token of our account (mentions, posting, DMs). */
  userAccessToken?: string;
  /**
   * The channel's other secrets (its consumer secret): blanked from error text as the tokens
   * are, should X or a proxy before it ever echo one.
   */
  otherSecrets?: readonly unknown[];
  clock?: () => number;
  /** Told about every x-rate-limit-* header set seen, per endpoint family. */
  onRateLimit?: (family: string, state: RateLimitState) => void | Promise<void>;
  /** For what X answered oddly but took (a post accepted without its id). */
  log?: { warn(obj: object, msg: string): void };
}

export interface XPage {
  data: unknown[];
  includes: Record<string, unknown>;
  meta: { newestId?: string; nextToken?: string; resultCount: number };
}

const TWEET_FIELDS =
  'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,attachments,note_tweet';
const USER_FIELDS = 'username,name,public_metrics,location,verified';

/**
 * X API v2 over fetch. Every response body is parsed without rounding numbers, rate-limit headers
 * are reported, and failures map to the connector taxonomy:
 * 429 → rate_limited until x-rate-limit-reset; 401 → auth_revoked; 403 → permission_missing;
 * 5xx → temporary; other 4xx → bad_request. developer.x.com/en/docs/x-api/rate-limits
 */
export class XClient {
  private readonly clock: () => number;
  /** The tokens (and so `Bearer <token>`) and the other secrets, for error text. */
  private readonly secrets: SecretForms;
  constructor(private readonly opts: XClientOptions) {
    this.clock = opts.clock ?? Date.now;
    this.secrets = secretForms([
      opts.bearerToken,
      opts.userAccessToken,
      ...(opts.otherSecrets ?? []),
    ]);
  }

  private async call(
    family: string,
    method: string,
    path: string,
    auth: 'app' | 'user',
    opts: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      /**
       * A write (a post, a DM): any 2xx means X took it, so a body that is not JSON is read as
       * empty (the caller then has no id) rather than failed, which the outbox would retry.
       */
      write?: boolean;
    } = {},
  ): Promise<Record<string, unknown>> {
    const token =
      auth === 'app'
        ? (this.opts.bearerToken ?? this.opts.userAccessToken)
        : this.opts.userAccessToken;
    if (!token) {
      throw new ConnectorError(
        'permission_missing',
        `the X channel has no ${auth === 'app' ? 'bearer' : 'user access'} token for ${family}`,
      );
    }
    const url = new URL(
      path,
      this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`,
    );
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, v);
    const res = await providerCall(url.toString(), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      secrets: this.secrets,
    });
    const now = this.clock();
    const limit = res.headers.get('x-rate-limit-limit');
    const remaining = res.headers.get('x-rate-limit-remaining');
    const reset = res.headers.get('x-rate-limit-reset');
    const state: RateLimitState = { observedAt: now };
    if (limit !== null) state.limit = Number(limit);
    if (remaining !== null) state.remaining = Number(remaining);
    if (reset !== null) state.resetAt = Number(reset) * 1000;
    if (res.status === 429) {
      state.remaining = 0;
      state.blockedUntil =
        now +
        (retryAfterMs(res.headers.get('retry-after'), now) ??
          Math.max(1000, (state.resetAt ?? now + 60_000) - now));
    }
    if (limit !== null || remaining !== null || res.status === 429)
      await this.opts.onRateLimit?.(family, state);
    if (res.status >= 200 && res.status < 300) {
      if (!res.text) return {};
      try {
        return (obj(parseJsonExact(res.text)) ?? {}) as Record<string, unknown>;
      } catch {
        if (opts.write) return {};
        throw new ConnectorError(
          'unknown',
          `X answered ${res.status} with a body that is not JSON`,
        );
      }
    }
    throw xError(res.status, res.text, state, now, this.secrets);
  }

  /** The account behind the user token (connection test). */
  async me(): Promise<{ id: string; username?: string; name?: string }> {
    const body = await this.call('users_me', 'GET', '2/users/me', 'user');
    const d = obj(body.data);
    const id = str(d?.id);
    if (!id) throw new ConnectorError('unknown', 'X /2/users/me answered without an id');
    return { id, username: str(d?.username), name: str(d?.name) };
  }

  /** One page of a user's mentions, newest first. developer.x.com …/timelines/api-reference/get-users-id-mentions */
  async mentions(
    userId: string,
    p: { sinceId?: string; paginationToken?: string; maxResults: number },
  ) {
    const body = await this.call(
      'mentions',
      'GET',
      `2/users/${encodeURIComponent(userId)}/mentions`,
      'user',
      {
        query: {
          since_id: p.sinceId,
          pagination_token: p.paginationToken,
          max_results: String(Math.min(100, Math.max(5, p.maxResults))),
          'tweet.fields': TWEET_FIELDS,
          expansions: 'author_id',
          'user.fields': USER_FIELDS,
        },
      },
    );
    return toPage(body);
  }

  /** One page of recent search (last 7 days). Note: its page parameter is `next_token`. */
  async searchRecent(
    query: string,
    p: { sinceId?: string; nextToken?: string; maxResults: number },
  ) {
    const body = await this.call('search', 'GET', '2/tweets/search/recent', 'app', {
      query: {
        query,
        since_id: p.sinceId,
        next_token: p.nextToken,
        max_results: String(Math.min(100, Math.max(10, p.maxResults))),
        'tweet.fields': TWEET_FIELDS,
        expansions: 'author_id',
        'user.fields': USER_FIELDS,
      },
    });
    return toPage(body);
  }

  /**
   * Posts a public reply; returns the new post's id, or undefined when X took it (a 2xx) but
   * said no id: the post exists, so it counts as sent (without an id to thread or adopt the
   * echo by) rather than failing, which the outbox would retry into a duplicate public post.
   */
  async reply(text: string, inReplyToTweetId: string | null): Promise<string | undefined> {
    const body = await this.call('tweets', 'POST', '2/tweets', 'user', {
      body: {
        text,
        ...(inReplyToTweetId ? { reply: { in_reply_to_tweet_id: inReplyToTweetId } } : {}),
      },
      write: true,
    });
    const id = str(obj(body.data)?.id);
    if (!id) this.acceptedWithoutId('tweets', 'data.id');
    return id;
  }

  /**
   * Sends a DM to one person; returns the DM event id, or undefined when X took it (a 2xx)
   * without one (see `reply`: a retry would send the DM twice).
   * developer.x.com …/direct-messages/manage
   */
  async sendDm(participantId: string, text: string): Promise<string | undefined> {
    const body = await this.call(
      'dm',
      'POST',
      `2/dm_conversations/with/${encodeURIComponent(participantId)}/messages`,
      'user',
      { body: { text }, write: true },
    );
    const id = str(obj(body.data)?.dm_event_id);
    if (!id) this.acceptedWithoutId('dm', 'data.dm_event_id');
    return id;
  }

  private acceptedWithoutId(family: string, field: string) {
    this.opts.log?.warn(
      { family, missing: field },
      'X accepted the send (2xx) without its id: recorded as sent without one, not sent again',
    );
  }
}

function toPage(body: Record<string, unknown>): XPage {
  const meta = obj(body.meta) ?? {};
  return {
    data: Array.isArray(body.data) ? body.data : [],
    includes: obj(body.includes) ?? {},
    meta: {
      newestId: str(meta.newest_id),
      nextToken: str(meta.next_token),
      resultCount: typeof meta.result_count === 'number' ? meta.result_count : 0,
    },
  };
}

/** What X's failure of each kind is called in errors an admin reads. */
const X_SAYS: Record<ConnectorErrorKind, (status: number) => string> = {
  rate_limited: () => 'X rate limit',
  auth_revoked: () => 'X refused the token',
  permission_missing: () => 'X forbids this',
  // Never from an HTTP status (`httpStatusKind`); the record is total over the kinds.
  not_configured: () => 'X channel not configured',
  temporary: (s) => `X error ${s}`,
  bad_request: (s) => `X rejected the request (${s})`,
  unknown: (s) => `X answered ${s}`,
};

/**
 * X error bodies: v2 problem JSON ({title, detail, type, status}) or v1.1 {errors:[{code,message}]}.
 * The message says the kind, the status and X's code (v1.1's number, v2's problem type); X's
 * words are the provider's text (`providerText`), kept where agents and admins read the error but
 * logged only with THROUGHLINE_LOG_BODIES, since they can quote what was posted. The channel's
 * tokens (`secrets`) are blanked from both.
 */
function xError(
  status: number,
  text: string,
  rl: RateLimitState,
  now: number,
  secrets: SecretForms,
): ConnectorError {
  let detail = text;
  let code: string | undefined;
  try {
    const b = obj(parseJsonExact(text));
    const first = obj(Array.isArray(b?.errors) ? b?.errors[0] : undefined);
    detail = str(b?.detail) ?? str(first?.message) ?? str(b?.title) ?? detail;
    code = xCode(first?.code) ?? xCode(b?.type);
  } catch {
    // plain-text body, e.g. "Rate limit exceeded\n"
  }
  const kind = httpStatusKind(status);
  // A 429's pause was worked out from Retry-After or x-rate-limit-reset when it was seen.
  const wait = kind === 'rate_limited' ? Math.max(0, (rl.blockedUntil ?? now) - now) : undefined;
  const message = `${X_SAYS[kind](status)}${code ? ` [${code}]` : ''}`;
  const said = scrubbedHead(detail, secrets).trim() || undefined;
  return new ConnectorError(kind, message, wait, status, said, secrets);
}

/**
 * X's code for a failure: a v1.1 error's number (187, a duplicate post) or the last part of a v2
 * problem type (`…/2/problems/usage-capped` → usage-capped); a code, never free text.
 */
function xCode(v: unknown): string | undefined {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return String(v);
  return typeof v === 'string' ? /\/problems\/([a-z0-9-]{1,60})$/.exec(v)?.[1] : undefined;
}
