import type { Http } from '../../platform/http/server.js';
import { readState } from '../channel.state.js';
import { loadChannelsOfKind } from '../channel.store.js';
import type { ChannelDeps } from '../routes.js';
import { canReceive } from './email.imap.js';
import type { ImapCursor } from './email.poll.js';
import { pollEmailChannel } from './email.poll.js';
import type { EmailConfig, EmailSecrets } from './email.types.js';

/** How often we look for a mailbox whose poll is due (the shortest interval allowed is 1 s). */
const TICK_MS = 1000;
export const DEFAULT_POLL_SECONDS = 30;
/** A refused login is retried this often at most: providers lock accounts that keep failing. */
export const AUTH_RETRY_MS = 15 * 60_000;

/**
 * When a mailbox is next polled: its interval after the last poll, or, while its login is
 * refused (`auth_revoked`), not before AUTH_RETRY_MS; "poll now" and a connection test that
 * succeeds (health back to ok) end that wait.
 */
export function nextPollAt(
  lastPollAt: number | undefined,
  intervalSeconds: number | undefined,
  health: string,
): number {
  const every = (intervalSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
  return (lastPollAt ?? 0) + (health === 'auth_revoked' ? Math.max(every, AUTH_RETRY_MS) : every);
}

/**
 * Polls every enabled email channel with an IMAP side when its interval is due, one at a time
 * per channel. Polling over a fresh connection per poll rather than IMAP IDLE: a poll is a few
 * commands, survives server restarts and NAT timeouts without reconnect logic, and works the
 * same on every server; the cost is up to one interval of delay (30 s by default). The due
 * time comes from the stored cursor, so a restarted desk waits out the interval where it was.
 */
export function startEmailPolling(app: Http, deps: ChannelDeps) {
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      const channels = await loadChannelsOfKind<EmailConfig, EmailSecrets>(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        'email',
      );
      for (const ch of channels) {
        if (!canReceive(ch)) continue;
        const due = (state: Awaited<ReturnType<typeof readState>>) => {
          const cursor = state.cursors.imap as ImapCursor | undefined;
          const interval = ch.config.imap.pollIntervalSeconds;
          return deps.clock() >= nextPollAt(cursor?.lastPollAt, interval, state.health);
        };
        if (!due(await readState(deps.db, ch.id))) continue;
        const r = await pollEmailChannel(deps, ch, due);
        if (!r) continue;
        if (r.error) app.log.warn({ channelId: ch.id, error: r.error }, 'email poll failed');
        else if (r.fetched > 0)
          app.log.info(
            {
              channelId: ch.id,
              fetched: r.fetched,
              accepted: r.accepted,
              bounces: r.bounces,
              skipped: r.skipped,
              parked: r.parked,
            },
            'email poll',
          );
      }
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'email poll tick failed');
    } finally {
      ticking = false;
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
