import { FakeProvider, type FakeReply, type RecordedRequest } from './fake-server.js';

/** A v2 Post as X returns it (ids as strings). */
export interface V2Tweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  [k: string]: unknown;
}

const unauthorized: FakeReply = {
  status: 401,
  body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
};

const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * A fake X API v2 on loopback, speaking the documented protocol: Bearer auth (401 problem JSON
 * otherwise), mentions and recent search newest-first with `since_id`, `max_results` and
 * `meta.next_token` (mentions page with `pagination_token`, search with `next_token`),
 * x-rate-limit-limit/remaining/reset on every answer and 429 when a window is spent, posting
 * (`POST /2/tweets`) and DMs (`POST /2/dm_conversations/with/:id/messages`).
 */
export class FakeX extends FakeProvider {
  userToken = 'user-token';
  bearerToken = 'app-token';
  me = { id: '835740314006511618', username: 'resistbot', name: 'Resistbot' };
  mentions: V2Tweet[] = [];
  users: Record<string, unknown>[] = [];
  search = new Map<string, V2Tweet[]>();
  /** Remaining calls per family in the current 15-minute window. */
  remaining: Record<string, number> = { mentions: 450, search: 450, tweets: 200, dm: 200 };
  resetAt = Math.floor(Date.now() / 1000) + 900;
  /** Scripted answers, consumed first, per family. */
  scripted: Record<string, FakeReply[]> = {};
  posted: { id: string; text: string; inReplyTo?: string }[] = [];
  dms: { id: string; to: string; text: string }[] = [];
  private seq = 1900000000000000000n;
  /**
   * Put the Authorization header a refused request carried, and its token in base64, into the 401
   * it gets, as a careless proxy before X might (X does not): for tests that no token reaches an
   * error anyone reads.
   */
  echoAuthorization = false;
  script(family: string, ...replies: FakeReply[]) {
    this.scripted[family] = [...(this.scripted[family] ?? []), ...replies];
  }
  requestsOf(family: string) {
    return this.server.requests.filter((r) => familyOf(r) === family);
  }

  private rl(family: string): Record<string, string> {
    return {
      'x-rate-limit-limit': '450',
      'x-rate-limit-remaining': String(Math.max(0, this.remaining[family] ?? 0)),
      'x-rate-limit-reset': String(this.resetAt),
    };
  }

  protected route(r: RecordedRequest): FakeReply {
    const family = familyOf(r);
    const auth = r.headers.authorization;
    const wants = family === 'search' ? [this.bearerToken, this.userToken] : [this.userToken];
    if (!auth || !wants.some((t) => auth === `Bearer ${t}`)) {
      if (!this.echoAuthorization) return unauthorized;
      const token = Buffer.from(auth?.replace(/^Bearer /, '') ?? '').toString('base64');
      const detail = `Unauthorized: refused ${auth} (${token})`;
      return { ...unauthorized, body: { ...(unauthorized.body as object), detail } };
    }
    const scripted = this.scripted[family]?.shift();
    if (scripted) return scripted;
    if (family in this.remaining) {
      if (this.remaining[family] <= 0) {
        return { status: 429, headers: this.rl(family), body: 'Rate limit exceeded\n' };
      }
      this.remaining[family]--;
    }
    const headers = this.rl(family);
    switch (family) {
      case 'me':
        return { status: 200, headers, body: { data: this.me } };
      case 'mentions':
        return { status: 200, headers, body: this.page(this.mentions, r, 'pagination_token', 5) };
      case 'search':
        return {
          status: 200,
          headers,
          body: this.page(this.search.get(r.query.get('query') ?? '') ?? [], r, 'next_token', 10),
        };
      case 'tweets': {
        const b = JSON.parse(r.body) as { text: string; reply?: { in_reply_to_tweet_id: string } };
        const id = String(this.seq++);
        this.posted.push({ id, text: b.text, inReplyTo: b.reply?.in_reply_to_tweet_id });
        return { status: 201, headers, body: { data: { id, text: b.text } } };
      }
      case 'dm': {
        const to = r.path.split('/')[4];
        const b = JSON.parse(r.body) as { text: string };
        const id = String(this.seq++);
        this.dms.push({ id, to, text: b.text });
        return {
          status: 201,
          headers,
          body: { data: { dm_conversation_id: `${to}-${this.me.id}`, dm_event_id: id } },
        };
      }
      default:
        return {
          status: 404,
          body: { title: 'Not Found Error', status: 404, detail: `no route ${r.path}` },
        };
    }
  }

  /** Newest first, `since_id` exclusive, offset tokens. */
  private page(all: V2Tweet[], r: RecordedRequest, tokenParam: string, min: number) {
    const max = Number(r.query.get('max_results') ?? 10);
    if (!Number.isInteger(max) || max < min || max > 100) {
      return { errors: [{ message: `max_results must be between ${min} and 100` }] };
    }
    const since = r.query.get('since_id');
    const sorted = [...all]
      .sort((a, b) => cmp(b.id, a.id))
      .filter((t) => !since || cmp(t.id, since) > 0);
    const offset = Number(r.query.get(tokenParam) ?? '0') || 0;
    const data = sorted.slice(offset, offset + max);
    const ids = data.map((t) => t.id);
    const authors = new Set(data.map((t) => t.author_id));
    const meta: Record<string, unknown> = { result_count: data.length };
    if (data.length) {
      meta.newest_id = ids[0];
      meta.oldest_id = ids[ids.length - 1];
    }
    if (offset + max < sorted.length) meta.next_token = String(offset + max);
    return {
      ...(data.length ? { data } : {}),
      includes: { users: this.users.filter((u) => authors.has(u.id as string)) },
      meta,
    };
  }
}

function familyOf(r: RecordedRequest): string {
  if (r.path === '/2/users/me') return 'me';
  if (/^\/2\/users\/[^/]+\/mentions$/.test(r.path)) return 'mentions';
  if (r.path === '/2/tweets/search/recent') return 'search';
  if (r.path === '/2/tweets' && r.method === 'POST') return 'tweets';
  if (/^\/2\/dm_conversations\/with\/[^/]+\/messages$/.test(r.path)) return 'dm';
  return 'other';
}
