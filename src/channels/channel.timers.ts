import type { Http } from '../platform/http/server.js';
import { applyPendingEdits } from './channel.edits.js';
import { applyPendingMarks } from './channel.marks.js';
import { loadChannelsOfKind } from './channel.store.js';
import type { XConfig, XSecrets } from './channel.types.js';
import type { ChannelDeps } from './routes.js';
import { pollXChannel } from './x/x.poll.js';

const TICK_MS = 15_000;

/**
 * One background tick per app: applies marks and edits whose message arrived since, and polls X channels in
 * polling mode when their interval is due. Started when the server is ready, stopped on close;
 * the timer is unref'd so it never keeps a process alive.
 */
export function startChannelTimers(app: Http, deps: ChannelDeps) {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await applyPendingMarks(deps.db, deps.workspaceId, deps.clock());
      await applyPendingEdits(deps.db, deps.workspaceId, deps.clock());
      const channels = await loadChannelsOfKind<XConfig, XSecrets>(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        'x',
      );
      for (const ch of channels) {
        if (ch.config.mode !== 'polling') continue;
        const { readState } = await import('./channel.state.js');
        const cursors = (await readState(deps.db, ch.id)).cursors as Record<
          string,
          { lastPollAt?: number }
        >;
        const last = Math.min(
          ...Object.values(cursors).map((c) => c?.lastPollAt ?? 0),
          Number.POSITIVE_INFINITY,
        );
        const due =
          (Number.isFinite(last) ? last : 0) + (ch.config.pollIntervalSeconds ?? 60) * 1000;
        if (deps.clock() >= due) await pollXChannel(deps, { ...ch, kind: 'x' });
      }
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'channel timer tick failed');
    } finally {
      running = false;
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => void tick(), TICK_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
