import { EventEmitter } from 'node:events';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { lockCaseWrites } from '../../platform/db/case-writes-lock.js';
import type { Database } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';
import type { TriageInput, TriageResult } from '../../triage/index.js';
import { type LoggedEvent, runBatch } from './run-batch.js';
import { takePipelineTurn } from './turn-lock.js';
import type { BatchState, ClassifiedAhead, PipelineSettings } from './types.js';

export interface WorkerOptions {
  database: Database;
  settings: PipelineSettings;
  batchSize: number;
  maxAttempts: number;
  classify: (input: TriageInput) => TriageResult;
  /**
   * Triage ahead in a worker thread (src/triage/classify-ahead.ts): on a backlog, the events
   * after a full batch are classified there while the batch is processed. Only for `classify`
   * equal to that worker's triage (the installation's).
   */
  ahead?: ClassifiedAhead & { close(): Promise<void> };
  logger?: Logger;
  /** Wall clock; injectable for tests of back-off. */
  clock?: () => number;
  /** Called after a batch committed (live updates, metrics). Errors here are logged, not retried. */
  onCommitted?: (batch: BatchState) => void;
  afterStage?: (name: string) => void | Promise<void>;
  /** How long an idle worker sleeps before looking for due retries. */
  idleMs?: number;
  /**
   * PostgreSQL: how long a batch transaction may sit waiting for this process before the server
   * ends it and frees the pipeline's turn for other nodes (turn-lock.ts). Default 2 minutes
   * (`THROUGHLINE_PIPELINE_STALL_SECONDS`).
   */
  stallMs?: number;
}

/** Back-off before retry `attempt` (1-based): 1 s, 4 s, 16 s … capped at 10 minutes. */
export function backoffMs(attempt: number): number {
  return Math.min(1000 * 4 ** (attempt - 1), 600_000);
}

/**
 * Takes events from the inbound log in batches and runs the pipeline over them, one transaction
 * a batch. The events' status changes commit with their effects, so a crash anywhere rolls the
 * whole batch back and it is simply taken again: effects happen exactly once. A batch that fails
 * is split into single events so that one bad event cannot block the others; a failing event is
 * retried with back-off and then parked with its error.
 */
export class PipelineWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly wake = new EventEmitter();
  private readonly clock: () => number;
  /** Batches in a row that failed on a transient conflict (see runOnce). */
  private transientFailures = 0;

  constructor(private readonly opts: WorkerOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** The settings every batch runs with (features attach to the pipeline by this object). */
  get settings(): PipelineSettings {
    return this.opts.settings;
  }

  /** Tell an idle worker that new events were logged. */
  notify(): void {
    this.wake.emit('wake');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    this.loop = null;
  }

  /** Stops the worker and its classifier thread (the pipeline can still be drained after). */
  async close(): Promise<void> {
    await this.stop();
    await this.opts.ahead?.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let processed = 0;
      try {
        processed = await this.runOnce();
      } catch (err) {
        this.opts.logger?.error({ err }, 'pipeline loop error');
      }
      if (processed === 0 && this.running) await this.idle();
      else await yieldToEventLoop();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.opts.idleMs ?? 1000);
      const wake = this.wake;
      function done() {
        clearTimeout(timer);
        wake.off('wake', done);
        resolve();
      }
      wake.once('wake', done);
    });
  }

  /** Processes until no event is due. Returns how many events were taken. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      if (n === 0) return total;
      total += n;
      await yieldToEventLoop();
    }
  }

  /** Takes one batch of due events and processes it. Returns how many events were taken. */
  async runOnce(): Promise<number> {
    const { db, caps } = this.opts.database;
    const now = this.clock();
    let claimed: LoggedEvent[] = [];
    let committed: BatchState | null = null;
    try {
      await db.transaction().execute(async (trx) => {
        await takePipelineTurn(trx, caps, this.opts.stallMs);
        await lockCaseWrites(trx, caps, 'shared');
        let q = trx
          .selectFrom('inbound_events')
          .select(['seq', 'received_at', 'payload_json', 'history'])
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .orderBy('seq')
          .limit(this.opts.batchSize);
        // Under the pipeline's turn no other batch is in flight; the row locks only wait out a
        // parked-event retry or a failure being recorded. Skipping locked rows here would let this
        // batch run ahead of earlier events (see turn-lock.ts).
        if (caps.concurrentWriters) q = q.forUpdate();
        claimed = await q.execute();
        if (claimed.length === 0) return;
        if (claimed.length === this.opts.batchSize) await this.classifyAhead(trx, claimed);
        committed = await runBatch(trx, claimed, this.batchOptions(now));
      });
    } catch (err) {
      if (claimed.length === 0) throw err;
      // A deadlock or serialization failure (another transaction — the scheduler, another
      // node — touched the same cases in another order) says nothing about the events: take
      // the batch again as a whole instead of one by one, a few times.
      if (isTransient(err) && this.transientFailures < 3) {
        this.transientFailures++;
        this.opts.logger?.warn(
          { err: errorText(err), events: claimed.length },
          'batch hit a transient conflict; taking it again',
        );
        return claimed.length;
      }
      this.transientFailures = 0;
      this.opts.logger?.warn(
        { err: errorText(err), events: claimed.length },
        'batch failed; retrying its events one by one',
      );
      await this.runSingly(claimed);
      return claimed.length;
    }
    this.transientFailures = 0;
    if (committed) this.committed(committed);
    return claimed.length;
  }

  /**
   * A full batch means a backlog: hand the events after it to the classifier thread now, so that
   * their triage is ready when the next batch takes them (a hint; nothing is claimed here).
   */
  private async classifyAhead(trx: Kysely<DB>, claimed: LoggedEvent[]): Promise<void> {
    const { ahead } = this.opts;
    if (!ahead) return;
    const next = await trx
      .selectFrom('inbound_events')
      .select(['seq', 'payload_json'])
      .where('status', '=', 'pending')
      .where('seq', '>', claimed[claimed.length - 1].seq)
      .orderBy('seq')
      .limit(this.opts.batchSize)
      .execute();
    ahead.submit(next);
  }

  private batchOptions(now: number) {
    return {
      caps: this.opts.database.caps,
      settings: this.opts.settings,
      now,
      classify: this.opts.classify,
      ahead: this.opts.ahead,
      logger: this.opts.logger,
      afterStage: this.opts.afterStage,
    };
  }

  private async runSingly(events: LoggedEvent[]): Promise<void> {
    const { db, caps } = this.opts.database;
    for (const e of events) {
      const now = this.clock();
      let result: BatchState | null = null;
      try {
        await db.transaction().execute(async (trx) => {
          await takePipelineTurn(trx, caps, this.opts.stallMs);
          await lockCaseWrites(trx, caps, 'shared');
          // Re-check under lock: another node may have taken it meanwhile.
          let q = trx
            .selectFrom('inbound_events')
            .select(['seq', 'received_at', 'payload_json', 'history'])
            .where('seq', '=', e.seq)
            .where('status', '=', 'pending');
          if (caps.concurrentWriters) q = q.forUpdate();
          const row = await q.executeTakeFirst();
          if (!row) return;
          result = await runBatch(trx, [row], this.batchOptions(now));
        });
        if (result) this.committed(result);
      } catch (err) {
        // The database was busy, not the event bad: it stays pending and is taken again,
        // without using up one of the attempts that park it.
        if (isTransient(err)) {
          this.opts.logger?.warn({ seq: e.seq, err: errorText(err) }, 'event met a busy database');
          continue;
        }
        await this.recordFailure(e.seq, errorText(err), now);
      }
    }
  }

  private async recordFailure(seq: number, error: string, now: number): Promise<void> {
    const { db } = this.opts.database;
    const row = await db
      .selectFrom('inbound_events')
      .select('attempts')
      .where('seq', '=', seq)
      .executeTakeFirst();
    const attempts = (row?.attempts ?? 0) + 1;
    const park = attempts >= this.opts.maxAttempts;
    await db
      .updateTable('inbound_events')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_error: error.slice(0, 2000),
        status: park ? 'parked' : 'pending',
        next_attempt_at: now + backoffMs(attempts),
      })
      .where('seq', '=', seq)
      .where('status', '=', 'pending')
      .execute();
    this.opts.logger?.warn({ seq, attempts, parked: park, error }, 'inbound event failed');
  }

  private committed(batch: BatchState): void {
    try {
      this.opts.onCommitted?.(batch);
    } catch (err) {
      this.opts.logger?.error({ err }, 'onCommitted hook failed');
    }
  }
}

/**
 * One turn of the event loop between batches. On SQLite every statement runs synchronously, so a
 * backlog would otherwise be worked through without ever letting I/O callbacks run: HTTP intake
 * (whose appends must be acknowledged quickly) and the classifier thread's answers would wait
 * until the backlog is gone.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** PostgreSQL deadlock / serialization / lock-timeout failures, SQLite's busy database. */
/**
 * A failure of the moment, not of the events: a deadlock or serialization failure
 * (PostgreSQL), or SQLite's lock taken by another process. SQLite reports the latter with its
 * extended codes too: `SQLITE_BUSY_SNAPSHOT` is the one a batch gets when another process (a
 * replay beside the server) committed between the batch's first read and its first write.
 */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    code === '40P01' ||
    code === '40001' ||
    code === '55P03' ||
    code.startsWith('SQLITE_BUSY') ||
    code.startsWith('SQLITE_LOCKED')
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
