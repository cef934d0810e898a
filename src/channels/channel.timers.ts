import type { Http } from '../platform/http/server.js';
import { applyPendingEdits } from './channel.edits.js';
import { applyPendingMarks } from './channel.marks.js';
import { ChannelCache, rowsWithState } from './channel.store.js';
import type { XConfig, XSecrets } from './channel.types.js';
import type { ChannelDeps } from './routes.js';
import { pollXChannel } from './x/x.poll.js';

const TICK_MS = 15_000;
export const DEFAULT_X_POLL_SECONDS = 60;

/** The cursor keys of the streams an X record in polling mode reads (x.poll.ts names them). */
function streamsOf(config: XConfig): string[] {
  return [
    ...(config.accountId ? ['mentions'] : []),
    ...(config.listenQueries ?? []).map((q) => `search:${q}`),
  ];
}

/**
 * When an X record in polling mode is next polled: its interval after the stream polled longest
 * ago. A stream without a cursor yet (a listening query just added) is due at once. Only the
 * streams' own cursors count: the month's read budget (`__budget`) is not a stream and has no
 * poll time.
 */
export function nextXPollAt(config: XConfig, cursorsJson: string | null | undefined): number {
  const cursors = JSON.parse(cursorsJson ?? '{}') as Record<string, { lastPollAt?: number }>;
  const streams = streamsOf(config);
  if (streams.length === 0) return Number.POSITIVE_INFINITY;
  const last = Math.min(...streams.map((s) => cursors[s]?.lastPollAt ?? 0));
  return last + (config.pollIntervalSeconds ?? DEFAULT_X_POLL_SECONDS) * 1000;
}

/** What the tick logs to (the app's logger; tests pass their own). */
export interface TickLog {
  warn(obj: object, msg: string): void;
}

/**
 * One pass of the channel timer: applies marks and edits whose message arrived since, and polls X records
 * in polling mode whose interval is due. The records are read with their poll state, settings
 * only, and a record's credentials are decrypted only when its poll is due, and then only if its
 * stored row changed since the last time (`ChannelCache`): a desk with many X accounts on
 * webhooks, or polling hourly, decrypts nothing on most passes. Passes never overlap.
 */
export function channelTicker(deps: ChannelDeps, log: TickLog): () => Promise<void> {
  const cache = new ChannelCache(deps.secretKey);
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await applyPendingMarks(deps.db, deps.workspaceId, deps.clock(), undefined, deps);
      await applyPendingEdits(deps.db, deps.workspaceId, deps.clock(), deps.classify);
      const rows = await rowsWithState(deps.db, deps.workspaceId, 'x');
      cache.keepOnly(rows.map((r) => r.id));
      for (const row of rows) {
        const config = JSON.parse(row.config_json) as XConfig;
        if (config.mode !== 'polling') continue;
        if (deps.clock() < nextXPollAt(config, row.stateCursors)) continue;
        const ch = cache.record<XConfig, XSecrets>(row);
        await pollXChannel(deps, { ...ch, kind: 'x' });
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'channel timer tick failed');
    } finally {
      running = false;
    }
  };
}

/**
 * Runs `channelTicker` every TICK_MS while the app is up. Started when the server is ready,
 * stopped on close; the timer is unref'd so it never keeps a process alive.
 */
export function startChannelTimers(app: Http, deps: ChannelDeps) {
  let timer: NodeJS.Timeout | null = null;
  const tick = channelTicker(deps, app.log);
  app.addHook('onReady', async () => {
    timer = setInterval(() => void tick(), TICK_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
