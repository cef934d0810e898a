import type { Http } from '../../platform/http/server.js';
import type { readState } from '../channel.state.js';
import { ChannelCache } from '../channel.store.js';
import type { ChannelDeps } from '../routes.js';
import { canReceive } from './email.imap.js';
import type { ImapCursor } from './email.poll.js';
import { pollEmailChannel } from './email.poll.js';
import { emailRowsWithState } from './email.records.js';
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

/** What the tick logs to (the app's logger; tests pass their own). */
export interface PollLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * One pass of the background poll: polls each enabled email record with an IMAP side whose
 * interval is due, one at a time. It runs every second, so a pass that polls nothing costs one
 * query and decrypts nothing: the records and their poll state are read together, settings
 * only, and a mailbox's credentials are decrypted when its poll is due, and then only if its
 * stored row changed since the last time (`ChannelCache`). Passes never overlap.
 */
export function emailPollTicker(deps: ChannelDeps, log: PollLog): () => Promise<void> {
  const cache = new ChannelCache(deps.secretKey);
  let ticking = false;
  return async () => {
    if (ticking) return;
    ticking = true;
    try {
      const rows = await emailRowsWithState(deps);
      cache.keepOnly(rows.map((r) => r.id));
      for (const row of rows) {
        const imap = (JSON.parse(row.config_json) as EmailConfig).imap;
        if (!imap) continue;
        const cursor = JSON.parse(row.stateCursors ?? '{}').imap as ImapCursor | undefined;
        const dueAt = nextPollAt(
          cursor?.lastPollAt,
          imap.pollIntervalSeconds,
          row.stateHealth ?? 'ok',
        );
        if (deps.clock() < dueAt) continue;
        const ch = cache.record<EmailConfig, EmailSecrets>(row);
        if (!canReceive(ch)) continue;
        // Checked again once the poll has the mailbox to itself ("poll now" may have just run).
        const due = (state: Awaited<ReturnType<typeof readState>>) => {
          const c = state.cursors.imap as ImapCursor | undefined;
          return deps.clock() >= nextPollAt(c?.lastPollAt, imap.pollIntervalSeconds, state.health);
        };
        const r = await pollEmailChannel(deps, ch, due);
        if (!r) continue;
        if (r.error) log.warn({ channelId: ch.id, error: r.error }, 'email poll failed');
        else if (r.fetched > 0)
          log.info(
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
      log.warn({ err: (err as Error).message }, 'email poll tick failed');
    } finally {
      ticking = false;
    }
  };
}

/**
 * Runs `emailPollTicker` every TICK_MS while the app is up. Polling over a fresh connection per
 * poll rather than IMAP IDLE: a poll is a few commands, survives server restarts and NAT
 * timeouts without reconnect logic, and works the same on every server; the cost is up to one
 * interval of delay (30 s by default). The due time comes from the stored cursor, so a restarted
 * desk waits out the interval where it was.
 */
export function startEmailPolling(app: Http, deps: ChannelDeps) {
  let timer: NodeJS.Timeout | null = null;
  const tick = emailPollTicker(deps, app.log);
  app.addHook('onReady', async () => {
    timer = setInterval(() => void tick(), TICK_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
