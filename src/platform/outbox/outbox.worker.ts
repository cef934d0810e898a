import { EventEmitter } from 'node:events';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { adoptEcho } from '../../channels/channel.echo.js';
import { ConnectorError, loggableError } from '../../channels/connector-error.js';
import type { OutboundMessage, Sender, SendResult } from '../../channels/sender.js';
import { ERASED } from '../../privacy/scrub.js';
import { caseWriteTransaction } from '../db/case-writes-lock.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { LiveBus, LiveEvent } from '../realtime/bus.js';
import { OUTBOX_RETRY_FOR_MS, OutboxDeferred, outboxBackoffMs } from './outbox.backoff.js';
import { handBack, runLane, splitLanes } from './outbox.lanes.js';

const LEASE_MS = 60_000;

/** An outbox row as the worker claims it. */
interface Row {
  id: string;
  kind: string;
  idempotency_key: string;
  payload_json: string;
  attempts: number;
  workspace_id: string;
  /** Queued at (epoch ms; a string from PostgreSQL's bigint). */
  created_at: number | string;
}

export interface OutboxOptions {
  database: Database;
  /** Channel kind → sender. A channel without a sender keeps its messages queued and retried. */
  senders: Map<string, Sender>;
  bus?: LiveBus;
  logger?: Logger;
  /**
   * THROUGHLINE_LOG_BODIES: a failure's log line carries the provider's error body too. Off, it
   * carries the kind, status and message without it (the row's stored error keeps it for admins).
   */
  logBodies?: boolean;
  /**
   * How long a row is retried after it was queued before it is given up (default 24 hours): a
   * customer's fix notice, a PagerDuty trigger or a Jira update must outlast a provider's outage.
   */
  retryForMs?: number;
  /** The longest wait between two attempts (default 15 minutes, `outboxBackoffMs`). */
  maxBackoffMs?: number;
  /** A cap on attempts as well (tests); by default only `retryForMs` ends the retries. */
  maxAttempts?: number;
  clock?: () => number;
  idleMs?: number;
  /**
   * Handlers for outbox kinds other than `send_message` (e.g. `notify_customer`,
   * `problem_escalate` from src/notify and src/integrations). A handler throws ConnectorError
   * on failure; retries and back-off are the same as for messages.
   */
  handlers?: Map<string, OutboxHandler>;
  /**
   * Told, in the transaction that marks it failed, of a message the outbox gave up on, so that
   * what it settled when it was queued (a promise kept, a response clock met) is undone
   * (`src/cases/reply.failed.ts`); returns live events to publish after commit.
   */
  onMessageFailed?: (
    trx: Kysely<DB>,
    failed: {
      workspaceId: string;
      messageId: string;
      automated: boolean;
      error: string;
      /** The connector's message, as the row's last error keeps it (`storedError`). */
      reason: string;
    },
    now: number,
  ) => Promise<LiveEvent[]>;
}

export type OutboxHandler = (
  payload: unknown,
  idempotencyKey: string,
  row: {
    id: string;
    workspaceId: string;
    attempt: number;
    /** The row's last attempt: a failure now gives it up (`OutboxOptions.retryForMs`). */
    last?: boolean;
    /** When a failure of this attempt would be tried again, from now (without Retry-After). */
    backoffMs?: number;
  },
) => Promise<void>;

// What handlers and tests import with the worker (the retry rules live in outbox.backoff.ts).
export { OutboxDeferred, outboxBackoffMs } from './outbox.backoff.js';

/**
 * Delivers side effects written to the outbox after their transaction committed. A row is
 * leased (its next attempt pushed a minute ahead) before the network call, so a crash during
 * delivery leads to a retry with the same idempotency key rather than a lost or stuck message.
 */
export class OutboxWorker {
  private running = false;
  /** Set while stopping: a claimed batch is not delivered to its end (see `runOnce`). */
  private stopping = false;
  private loop: Promise<void> | null = null;
  /** Escalation lanes being delivered, by lane (`laneOf`). */
  private readonly lanesInFlight = new Map<string, Promise<number>>();
  private readonly wake = new EventEmitter();
  private readonly clock: () => number;

  constructor(private readonly opts: OutboxOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  notify() {
    this.wake.emit('wake');
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let n = 0;
        try {
          n = await this.runOnce(20, { background: true });
        } catch (err) {
          this.opts.logger?.error({ err }, 'outbox loop error');
        }
        if (n === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, this.opts.idleMs ?? 1000);
            const wake = this.wake;
            function done() {
              clearTimeout(t);
              wake.off('wake', done);
              resolve();
            }
            wake.once('wake', done);
          });
        }
      }
    })();
  }

  async stop() {
    this.running = false;
    this.stopping = true;
    this.notify();
    await this.loop;
    await Promise.allSettled([...this.lanesInFlight.values()]);
    this.stopping = false;
  }

  /**
   * Delivers what is due now; returns how many rows were attempted (or, in the background, set
   * going). `background` (the loop): escalation lanes are not waited for.
   */
  async runOnce(limit = 20, { background = false } = {}): Promise<number> {
    const { db, caps } = this.opts.database;
    const now = this.clock();
    const claimed = await db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('outbox')
        .select([
          'id',
          'kind',
          'idempotency_key',
          'payload_json',
          'attempts',
          'workspace_id',
          'created_at',
        ])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit);
      if (caps.skipLocked) q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      if (rows.length > 0) {
        await trx
          .updateTable('outbox')
          .set({ next_attempt_at: now + LEASE_MS })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      }
      return rows;
    });
    // Each escalation target is a lane of its own beside the desk's (outbox.lanes.ts). The loop
    // does not wait for those lanes; a busy lane's new rows wait for it (no attempt counted).
    const { desk, lanes } = splitLanes(claimed);
    const waits: Promise<number>[] = [];
    let started = 0;
    const lane = (rows: Row[]) =>
      runLane(
        rows,
        (r) => this.deliver(r),
        () => this.stopping,
        (rest) => handBack(db, rest, now),
      );
    for (const [key, rows] of lanes) {
      if (this.lanesInFlight.has(key)) {
        await handBack(db, rows, now + 1000);
        continue;
      }
      // In the background nobody awaits the lane: its error is logged, as the loop's are.
      const going = background
        ? lane(rows).catch((err) => {
            this.opts.logger?.error({ err }, 'outbox lane error');
            return 0;
          })
        : lane(rows);
      const run = going.finally(() => this.lanesInFlight.delete(key));
      this.lanesInFlight.set(key, run);
      started += rows.length;
      if (!background) waits.push(run);
    }
    const inDesk = await lane(desk);
    if (background) return inDesk + started;
    return inDesk + (await Promise.all(waits)).reduce((a, b) => a + b, 0);
  }

  /** The wait after this attempt fails, unless the provider said how long (Retry-After). */
  private backoff(attempt: number) {
    return outboxBackoffMs(attempt, this.opts.maxBackoffMs);
  }

  /**
   * Whether a failure of this attempt gives the row up: its next try (after `waitMs`) would be
   * past the retry budget counted from when it was queued (or past `maxAttempts`, when set).
   */
  private lastAttempt(row: Row, attempt: number, waitMs = this.backoff(attempt)) {
    if (this.opts.maxAttempts !== undefined && attempt >= this.opts.maxAttempts) return true;
    const deadline = Number(row.created_at) + (this.opts.retryForMs ?? OUTBOX_RETRY_FOR_MS);
    return this.clock() + waitMs > deadline;
  }

  private async deliver(row: Row) {
    const { db } = this.opts.database;
    const attempt = row.attempts + 1;
    if (row.kind !== 'send_message') {
      await this.deliverOther(row, attempt);
      return;
    }
    const msg = JSON.parse(row.payload_json) as OutboundMessage;
    const sender = this.opts.senders.get(msg.channel);
    let result: SendResult;
    try {
      // No sender for the kind (voice; `api`/`webchat` without an outbound URL): senders are
      // fixed at start, so waiting changes nothing. Fails at once, as the reply route refuses it.
      // Erased since it was queued, past the erasure's own ending of pending rows (a row
      // written by a path that did not know): the placeholder is no address to try for a day.
      if (msg.to === ERASED)
        throw new ConnectorError('bad_request', 'customer erased: the message has no address');
      if (!sender) {
        throw new ConnectorError(
          'not_configured',
          `no sender is configured for channel ${msg.channel}`,
        );
      }
      result = await sender(msg, row.idempotency_key);
    } catch (err) {
      const ce =
        err instanceof ConnectorError ? err : new ConnectorError('unknown', (err as Error).message);
      const giveUp = !ce.retryable || this.lastAttempt(row, attempt, ce.retryAfterMs);
      await this.fail(row.id, attempt, ce, giveUp);
      if (giveUp) {
        // The history's `why` and the live event's are the one text the row keeps.
        const why = storedError(ce).slice(ce.kind.length + 2);
        const failed = {
          workspaceId: row.workspace_id,
          messageId: msg.messageId,
          automated: msg.automated === true,
          error: ce.kind,
          reason: why,
        };
        const markFailed = async (trx: Kysely<DB>, undo: boolean) => {
          await trx
            .updateTable('messages')
            .set({ status: 'failed' })
            .where('id', '=', msg.messageId)
            .execute();
          return (undo && (await this.opts.onMessageFailed?.(trx, failed, this.clock()))) || [];
        };
        let events: LiveEvent[] = [];
        try {
          // The undo rewinds the case's clocks and promise timers (reply.failed.ts).
          events = await caseWriteTransaction(db, (trx) => markFailed(trx, true));
        } catch (undoErr) {
          // The message is failed whatever its undo met: the desk must show it.
          this.opts.logger?.error(
            { err: undoErr, messageId: msg.messageId },
            'undo of a failed reply',
          );
          await markFailed(db, false);
        }
        for (const e of events) this.opts.bus?.publish(e);
        // With why, as the case history's `reply_failed` says it: a client shows the failure
        // and what to do without reading the case again.
        this.opts.bus?.publish({
          type: 'message.status',
          workspaceId: row.workspace_id,
          data: {
            caseId: msg.caseId,
            messageId: msg.messageId,
            status: 'failed',
            error: ce.kind,
            ...(why ? { why } : {}),
          },
        });
      }
      return;
    }
    // The provider has the message: from here on nothing may send it again, whatever storing
    // the outcome meets (a retry would give the customer a second copy).
    await this.recordSent(row, msg, result, attempt);
    this.opts.bus?.publish({
      type: 'message.status',
      workspaceId: row.workspace_id,
      data: { caseId: msg.caseId, messageId: msg.messageId, status: 'sent' },
    });
  }

  /**
   * Marks a sent message sent under the provider's id. Its echo (Messenger `is_echo`, our own
   * tweet in `tweet_create_events`) can arrive and be stored before the send call returns; that
   * row is our message, so it is folded into ours (`adoptEcho`) and one row holds the id. Should
   * storing still fail, the outbox row is closed without the id rather than left to re-send.
   */
  private async recordSent(row: Row, msg: OutboundMessage, result: SendResult, attempt: number) {
    const { db } = this.opts.database;
    const now = this.clock();
    const close = (trx: Kysely<DB>, note: string | null) =>
      trx
        .updateTable('outbox')
        .set({ status: 'delivered', delivered_at: now, attempts: attempt, last_error: note })
        .where('id', '=', row.id)
        .execute();
    try {
      await db.transaction().execute(async (trx) => {
        await close(trx, null);
        const carried = result.externalId
          ? await adoptEcho(trx, row.workspace_id, msg, result.externalId)
          : {};
        await trx
          .updateTable('messages')
          .set({
            status: 'sent',
            ...(result.externalId ? { external_id: result.externalId } : {}),
            ...carried,
          })
          .where('id', '=', msg.messageId)
          .execute();
      });
    } catch (err) {
      this.opts.logger?.error(
        { err, outboxId: row.id, externalId: result.externalId },
        'outbox: sent, but storing the outcome failed; not sending again',
      );
      await db.transaction().execute(async (trx) => {
        await close(trx, `sent, but storing the provider id failed: ${(err as Error).message}`);
        await trx
          .updateTable('messages')
          .set({ status: 'sent' })
          .where('id', '=', msg.messageId)
          .where('status', '=', 'queued')
          .execute();
      });
    }
  }

  private async deliverOther(row: Row, attempt: number) {
    const handler = this.opts.handlers?.get(row.kind);
    if (!handler) {
      await this.fail(
        row.id,
        attempt,
        new ConnectorError('bad_request', `unknown outbox kind ${row.kind}`),
        true,
      );
      return;
    }
    try {
      await handler(JSON.parse(row.payload_json), row.idempotency_key, {
        id: row.id,
        workspaceId: row.workspace_id,
        attempt,
        last: this.lastAttempt(row, attempt),
        backoffMs: this.backoff(attempt),
      });
      await this.opts.database.db
        .updateTable('outbox')
        .set({
          status: 'delivered',
          delivered_at: this.clock(),
          attempts: attempt,
          last_error: null,
        })
        .where('id', '=', row.id)
        .execute();
    } catch (err) {
      if (err instanceof OutboxDeferred) {
        await this.opts.database.db
          .updateTable('outbox')
          .set({
            next_attempt_at: this.clock() + err.afterMs,
            last_error: `deferred: ${err.message}`,
          })
          .where('id', '=', row.id)
          .execute();
        return;
      }
      const ce =
        err instanceof ConnectorError ? err : new ConnectorError('unknown', (err as Error).message);
      const giveUp = !ce.retryable || this.lastAttempt(row, attempt, ce.retryAfterMs);
      await this.fail(row.id, attempt, ce, giveUp);
    }
  }

  private async fail(id: string, attempt: number, ce: ConnectorError, giveUp: boolean) {
    const now = this.clock();
    const { retryAfterMs } = ce;
    await this.opts.database.db
      .updateTable('outbox')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_error: storedError(ce),
        status: giveUp ? 'failed' : 'pending',
        next_attempt_at: now + (retryAfterMs ?? this.backoff(attempt)),
      })
      .where('id', '=', id)
      .execute();
    // The stored error keeps the provider's answer for admins; the log line only with logBodies.
    this.opts.logger?.warn(
      {
        outboxId: id,
        attempt,
        giveUp,
        status: ce.providerStatus,
        error: loggableError(ce, this.opts.logBodies === true),
      },
      'outbox delivery failed',
    );
  }
}

/** A failure as an outbox row keeps it: `<kind>: <message>`, bounded (and so a live event's why). */
const storedError = (ce: ConnectorError) => `${ce.kind}: ${ce.message}`.slice(0, 2000);
