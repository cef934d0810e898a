import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Logger } from 'pino';
import { lockCaseWrites } from '../db/case-writes-lock.js';
import type { Capabilities, Database } from '../db/database.js';
import { retryConflicts } from '../db/db-errors.js';
import type { DB, TimerTable } from '../db/schema.js';
import type { LiveBus, LiveEvent } from '../realtime/bus.js';

export type Timer = Selectable<TimerTable>;

/**
 * Timers claimed per transaction. Each batch ends in a commit (an fsync); with batch handlers a
 * thousand due SLA timers are a few statements, so a storm of them costs few commits.
 */
const DEFAULT_BATCH = 1000;

/**
 * Handles one due timer inside the claiming transaction; returns live events to publish after
 * commit. A handler must check that what the timer refers to is still due (a stale timer is a
 * no-op), so firing twice is harmless.
 */
export type TimerHandler = (trx: Kysely<DB>, timer: Timer, now: number) => Promise<LiveEvent[]>;

/**
 * Handles the due timers of one kind that come one after another in the claimed batch, in due
 * order, inside the claiming transaction: for kinds whose work batches well (a storm of SLA
 * deadlines after a backlog), reading and writing in a few statements instead of several per
 * timer. The same rules as `TimerHandler` apply to each timer.
 */
export interface TimerBatchHandler {
  many(trx: Kysely<DB>, timers: Timer[], now: number, caps: Capabilities): Promise<LiveEvent[]>;
}

/** Periodic work over indexed columns (auto-close, assignment); returns live events. */
export type Sweep = (db: Kysely<DB>, now: number) => Promise<LiveEvent[]>;

export interface SchedulerOptions {
  database: Database;
  bus: LiveBus;
  /** Injectable clock: tests move time and call `tick()`; nothing waits on real time. */
  clock: () => number;
  /** Handlers by timer kind prefix, the part before `:` (`sla.breach:resolution` → `sla.breach`). */
  handlers: Record<string, TimerHandler | TimerBatchHandler>;
  sweeps?: Sweep[];
  logger?: Logger;
  batchSize?: number;
  intervalMs?: number;
}

/**
 * An unprocessed inbound event of the timer's workspace in its event-time span
 * [`hold_from`, `due_at`]. A timer with a `hold_from` (an SLA deadline: an event time) is due
 * only once the wall clock has passed it and the inbound log holds no such event: beside a
 * replay, or catching up a backlog, the wall clock is hours past a history case's deadline while
 * the reply that met it still waits in the log. Events before `hold_from` (the clock's start)
 * cannot meet it, so a replay of older history does not hold a live desk's deadlines. Held
 * timers stay pending and are not claimed, so a tick never spins on them. `status` is a literal:
 * SQLite uses a partial index only for a WHERE it can see matches the index's own.
 */
function heldBy(eb: ExpressionBuilder<DB, 'timers'>) {
  return eb
    .selectFrom('inbound_events as e')
    .select(sql.lit(1).as('held'))
    .whereRef('e.workspace_id', '=', 'timers.workspace_id')
    .where('e.status', '=', sql.lit('pending'))
    .whereRef('e.sent_at', '>=', 'timers.hold_from')
    .whereRef('e.sent_at', '<=', 'timers.due_at');
}

/**
 * Fires due `timers` rows (SLA at-risk and breach, promise reminders and deadlines). Work is
 * claimed in batches inside a transaction; on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
 * several nodes share the work and a timer fires on exactly one of them. An SLA timer waits for
 * the inbound log up to its due time (`heldBy`).
 */
export class Scheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Fires everything due at `now` (default: the clock) and runs the sweeps. Returns timers fired. */
  async tick(now = this.opts.clock()): Promise<number> {
    let fired = 0;
    for (;;) {
      const n = await this.fireBatch(now);
      fired += n;
      if (n < (this.opts.batchSize ?? DEFAULT_BATCH)) break;
    }
    for (const sweep of this.opts.sweeps ?? []) {
      try {
        this.publish(await sweep(this.opts.database.db, now));
      } catch (err) {
        this.opts.logger?.error({ err }, 'sweep failed');
      }
    }
    return fired;
  }

  private async fireBatch(now: number): Promise<number> {
    const { db, caps } = this.opts.database;
    let events: LiveEvent[] = [];
    // Pure database work (events are published after commit): a deadlock with a writer that
    // does not take the case-write lock first (src/problems) costs a rerun, not a failed tick.
    const n = await retryConflicts(() =>
      db.transaction().execute(async (trx) => {
        events = [];
        await lockCaseWrites(trx, caps, 'exclusive');
        let q = trx
          .selectFrom('timers')
          .selectAll('timers')
          .where('status', '=', 'pending')
          .where('due_at', '<=', now)
          .where((eb) => eb.or([eb('hold_from', 'is', null), eb.not(eb.exists(heldBy(eb)))]))
          .orderBy('due_at')
          .orderBy('id')
          .limit(this.opts.batchSize ?? DEFAULT_BATCH);
        if (caps.skipLocked) q = q.forUpdate().skipLocked();
        const due = await q.execute();
        for (let i = 0; i < due.length; ) {
          const t = due[i];
          const handler = this.opts.handlers[t.kind.split(':')[0]];
          if (!handler) {
            this.opts.logger?.warn({ kind: t.kind }, 'no handler for timer kind');
            i++;
          } else if (typeof handler === 'function') {
            events.push(...(await handler(trx, t, now)));
            i++;
          } else {
            // The run of timers (in due order) that this batch handler takes.
            let end = i + 1;
            while (end < due.length && this.opts.handlers[due[end].kind.split(':')[0]] === handler)
              end++;
            events.push(...(await handler.many(trx, due.slice(i, end), now, caps)));
            i = end;
          }
        }
        if (due.length > 0) {
          await trx
            .updateTable('timers')
            .set({ status: 'fired' })
            .where(
              'id',
              'in',
              due.map((t) => t.id),
            )
            .execute();
        }
        return due.length;
      }),
    );
    this.publish(events);
    return n;
  }

  private publish(events: LiveEvent[]) {
    for (const e of events) this.opts.bus.publish(e);
  }

  /** Runs `tick` every interval until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.tick();
        } catch (err) {
          this.opts.logger?.error({ err }, 'scheduler tick failed');
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.intervalMs ?? 5000);
          this.wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }
}
