import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { LiveBus } from '../realtime/bus.js';
import { ACCESS_CHANGED } from './live-stream.js';

/**
 * The audit actions after which a live stream may no longer hold: a user disabled or given
 * another role, a token revoked, a password changed (which ends the user's other sessions) or
 * reset by an admin (which ends them all).
 * Each is written in the transaction of its change (user-admin.ts, tokens.ts, users.ts), so
 * once its entry is visible, so is the change the streams re-check.
 */
export const ACCESS_ACTIONS = [
  'user.disabled',
  'user.role_changed',
  'api_token.revoked',
  'user.password_changed',
  'user.password_reset',
] as const;

/**
 * How far back each look reaches. Entries are found by id (UUIDv7, the writer's clock), and a
 * writer's transaction may commit a while after it made the id: a window rather than "after the
 * last id seen", which would skip an entry committed late. Longer than any commit takes; an entry
 * later still is caught by the stream's own periodic check.
 */
const WINDOW_MS = 60_000;

/** The least UUIDv7 of a millisecond: ids at or after it were made then or later. */
export function idFloor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-0000-0000-000000000000`;
}

export interface AccessWatch {
  /** One look: tells this node's streams of access changes not seen before. */
  poll(): Promise<void>;
  stop(): void;
}

/**
 * Access changes made by another process reach this node's open live streams within `everyMs`.
 * Where the bus spans processes (PostgreSQL's LISTEN/NOTIFY, cluster.ts) the CLI publishes
 * `ACCESS_CHANGED` itself; on SQLite there is no such channel between a server and a CLI
 * command (or a second server) on the same file, so each server looks in the audit log, which
 * every access change writes whoever makes it. One indexed range read of the last minute's
 * entries per look, and nothing is written. Changes the server made itself come round again:
 * the streams check once more, which costs a read each.
 */
export function watchAccess(deps: {
  db: Kysely<DB>;
  bus: LiveBus;
  everyMs: number;
  clock?: () => number;
  onError?: (err: unknown) => void;
}): AccessWatch {
  const clock = deps.clock ?? Date.now;
  /** Entries of the window already announced (or there before the watch began). */
  const seen = new Set<string>();
  let primed = false;
  let running: Promise<void> | null = null;

  const look = async () => {
    const floor = idFloor(clock() - WINDOW_MS);
    const rows = await deps.db
      .selectFrom('audit_log')
      .select(['id', 'workspace_id'])
      .where('id', '>=', floor)
      .where('action', 'in', ACCESS_ACTIONS)
      .execute();
    const changed = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      // Entries from before the watch began were made before any of its streams opened, and
      // those checked their credentials at connect.
      if (primed) changed.add(r.workspace_id);
    }
    for (const id of seen) if (id < floor) seen.delete(id);
    primed = true;
    // Not `publish`: every node looks for itself, so nothing is relayed.
    for (const workspaceId of changed)
      deps.bus.receive({ type: ACCESS_CHANGED, workspaceId, data: { from: 'audit' } });
  };
  const poll = () => {
    running ??= look()
      .catch((err) => deps.onError?.(err))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(poll, deps.everyMs);
  timer.unref();
  void poll();
  return {
    poll,
    stop: () => clearInterval(timer),
  };
}
