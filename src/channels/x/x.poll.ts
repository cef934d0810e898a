import { ingestDelivery } from '../channel.ingest.js';
import { emptyDelivery } from '../channel.parsed.js';
import { readState, recordError, recordSuccess, writeCursors } from '../channel.state.js';
import type { XChannel } from '../channel.types.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { XPage } from './x.client.js';
import { pushTweet } from './x.parse.js';
import { tweetV2ToMessage } from './x.parse.v2.js';
import { xClientFor } from './x.sender.js';

/** Where one stream (mentions, or one listening query) stands. */
interface StreamCursor {
  /** Everything up to this id was read. */
  sinceId?: string;
  /** A walk through pages that stopped early (budget, rate limit, page cap); resumed next time. */
  resume?: { sinceId?: string; nextToken: string; newestId?: string };
  lastPollAt?: number;
}

interface Budget {
  month: string;
  used: number;
}

export interface PollResult {
  stream: string;
  pages: number;
  read: number;
  accepted: number;
  stoppedBy: 'done' | 'budget' | 'rate_limit' | 'max_pages' | 'error';
  error?: string;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/**
 * Polls one X channel: its mentions timeline (when it has an account id) and each listening
 * query. X returns newest first with `since_id` and a `next_token`; the newest id of the first
 * page becomes the next `since_id` only after every page was stored, and a walk cut short is
 * resumed from its token, so nothing between two polls is skipped. Reads stop when the monthly
 * read budget is spent or x-rate-limit-remaining hits 0 before x-rate-limit-reset.
 * developer.x.com/en/docs/x-api/pagination
 */
export async function pollXChannel(deps: ChannelDeps, ch: XChannel): Promise<PollResult[]> {
  const streams: { name: string; query?: string }[] = [];
  if (ch.config.accountId) streams.push({ name: 'mentions' });
  for (const q of ch.config.listenQueries ?? []) streams.push({ name: `search:${q}`, query: q });
  const results: PollResult[] = [];
  for (const s of streams) results.push(await pollStream(deps, ch, s.name, s.query));
  return results;
}

async function pollStream(
  deps: ChannelDeps,
  ch: XChannel,
  stream: string,
  query?: string,
): Promise<PollResult> {
  const client = xClientFor(deps, ch);
  const family = query ? 'search' : 'mentions';
  const maxPages = ch.config.maxPagesPerPoll ?? 10;
  const result: PollResult = { stream, pages: 0, read: 0, accepted: 0, stoppedBy: 'done' };
  const state = await readState(deps.db, ch.id);
  const cursors = state.cursors as Record<string, unknown>;
  const cursor: StreamCursor = { ...((cursors[stream] as StreamCursor) ?? {}) };
  const now0 = deps.clock();
  let budget = (cursors.__budget as Budget | undefined) ?? { month: monthOf(now0), used: 0 };
  if (budget.month !== monthOf(now0)) budget = { month: monthOf(now0), used: 0 };
  const limit = ch.config.readBudgetPerMonth;

  const sinceId = cursor.resume ? cursor.resume.sinceId : cursor.sinceId;
  let token = cursor.resume?.nextToken;
  let newest = cursor.resume?.newestId;
  const save = async () => {
    const latest = (await readState(deps.db, ch.id)).cursors;
    await writeCursors(
      deps.db,
      deps.workspaceId,
      ch.id,
      { ...latest, [stream]: { ...cursor, lastPollAt: deps.clock() }, __budget: budget },
      deps.clock(),
    );
  };

  for (;;) {
    const now = deps.clock();
    const rl = (await readState(deps.db, ch.id)).rateLimits[family];
    if (rl && ((rl.blockedUntil ?? 0) > now || (rl.remaining === 0 && (rl.resetAt ?? 0) > now))) {
      result.stoppedBy = 'rate_limit';
      break;
    }
    const min = query ? 10 : 5;
    const pageSize = Math.max(min, ch.config.pageSize ?? 100);
    const left = limit === undefined ? pageSize : Math.min(pageSize, limit - budget.used);
    // X's smallest page is 5 (mentions) or 10 (search); a budget below that waits for next month.
    if (left < min) {
      result.stoppedBy = 'budget';
      break;
    }
    if (result.pages >= maxPages) {
      result.stoppedBy = 'max_pages';
      break;
    }
    let page: XPage;
    try {
      page = query
        ? await client.searchRecent(query, {
            sinceId,
            nextToken: token,
            maxResults: left,
          })
        : await client.mentions(ch.config.accountId!, {
            sinceId,
            paginationToken: token,
            maxResults: left,
          });
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'rate_limited') {
        result.stoppedBy = 'rate_limit';
        break;
      }
      const ce = err instanceof ConnectorError ? err : new ConnectorError('unknown', String(err));
      await recordError(deps.db, deps.workspaceId, ch.id, ce, deps.clock());
      result.stoppedBy = 'error';
      result.error = `${ce.kind}: ${ce.message}`;
      break;
    }
    result.pages++;
    result.read += page.data.length;
    budget.used += page.data.length;
    const delivery = emptyDelivery();
    for (const t of page.data) {
      const r = tweetV2ToMessage(t, page.includes, {
        channelId: ch.id,
        accountId: ch.config.accountId,
        handle: ch.config.handle,
        listening: !!query,
      });
      if ('reason' in r) delivery.ignored.push({ what: 'post', reason: r.reason });
      else pushTweet(delivery, r);
    }
    // Stored before the cursor moves: a crash here re-reads the page, and the log dedupes it.
    const summary = await ingestDelivery(deps, ch.id, delivery);
    result.accepted += summary.accepted;
    newest ??= page.meta.newestId;
    token = page.meta.nextToken;
    if (!token) {
      cursor.sinceId = newest ?? sinceId;
      cursor.resume = undefined;
      await save();
      break;
    }
    cursor.resume = { sinceId, nextToken: token, newestId: newest };
    await save();
  }
  if (result.stoppedBy !== 'done' && result.stoppedBy !== 'error') await save();
  if (result.stoppedBy !== 'error' && result.pages > 0) {
    await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
  }
  return result;
}
