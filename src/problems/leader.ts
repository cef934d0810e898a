import pg from 'pg';
import type { Database } from '../platform/db/database.js';

/** Advisory lock key of the problem detector ("THRL" "PROB" as two int32). */
const LOCK = [0x5448524c, 0x50524f42] as const;

/**
 * Which node detects. The detector's state lives in one process, so with several nodes on one
 * PostgreSQL database exactly one of them holds a session-level `pg_try_advisory_lock` on a
 * dedicated connection and detects; the others leave detection to it. When the leader dies
 * its connection closes, PostgreSQL releases the lock, and the next node to try takes over
 * (followers retry every `retryMs`). On an engine without concurrent writers (SQLite: one
 * node) every node is the leader and nothing is held.
 */
export class DetectorLeadership {
  private client: pg.Client | null = null;
  private leader: boolean;
  private lastTry = Number.NEGATIVE_INFINITY;
  private trying: Promise<boolean> | null = null;
  private closed = false;
  /** Bumped on every change of leadership, so the runtime knows to rebuild its state. */
  term = 0;

  constructor(
    private readonly database: Database,
    private readonly retryMs = 5_000,
  ) {
    this.leader = !this.shared;
  }

  /** Several nodes may write to this database (so leadership matters). */
  get shared(): boolean {
    return this.database.caps.concurrentWriters && !!this.database.connectionString;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** True when this node is (or has just become) the leader; cheap while nothing changes. */
  async check(): Promise<boolean> {
    if (!this.shared || this.leader || this.closed) return this.leader;
    if (Date.now() - this.lastTry < this.retryMs) return false;
    this.trying ??= this.tryAcquire().finally(() => {
      this.trying = null;
    });
    return this.trying;
  }

  private async tryAcquire(): Promise<boolean> {
    this.lastTry = Date.now();
    try {
      if (!this.client) {
        // Tried inside a pipeline batch: a connection that hangs must give up well before the
        // batch's stall limit (turn-lock.ts) ends the batch's own session.
        const c = new pg.Client({
          connectionString: this.database.connectionString,
          connectionTimeoutMillis: 10_000,
        });
        c.on('error', () => this.lost(c));
        c.on('end', () => this.lost(c));
        await c.connect();
        this.client = c;
      }
      const r = await this.client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock($1, $2) as ok',
        [LOCK[0], LOCK[1]],
      );
      if (r.rows[0]?.ok && !this.closed) {
        this.leader = true;
        this.term++;
      }
    } catch {
      const c = this.client;
      this.client = null;
      await c?.end().catch(() => {});
    }
    return this.leader;
  }

  private lost(c: pg.Client) {
    if (this.client !== c) return;
    this.client = null;
    if (this.leader) {
      this.leader = false;
      this.term++;
    }
  }

  /** Gives up leadership (closing the connection releases the lock at once). */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    this.leader = false;
    await this.trying?.catch(() => {});
    await c?.end().catch(() => {});
  }
}

/** The smallest UUIDv7 made at or after `ms`: a lower bound for time-ordered ids. */
export function idAt(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-0000-0000-000000000000`;
}
