import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { Database } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { setCaseStatus } from './problem.service.js';

/** A problem whose trouble is not over (`PROBLEM_STATUSES` before `fixed`). */
const OPEN = ['suspected', 'confirmed', 'fixing'];

/** Whether another link of the case holds it (see the scan in `runOnce`). */
async function heldElsewhere(trx: Kysely<DB>, caseId: string, linkId: string, now: number) {
  const other = await trx
    .selectFrom('problem_links as other')
    .innerJoin('problems as op', 'op.id', 'other.problem_id')
    .select('other.id')
    .where('other.case_id', '=', caseId)
    .where('other.id', '!=', linkId)
    .where('other.unlinked_at', 'is', null)
    .where('op.kind', '!=', 'process')
    .where((eb) => eb.or([eb('op.status', 'in', OPEN), eb('other.resolve_due_at', '>', now)]))
    .limit(1)
    .executeTakeFirst();
  return !!other;
}

/**
 * Resolves cases that waited out the quiet period after their problem was fixed (wall time:
 * it is a promise to the customer, not a fact about the stream). A case the customer answered
 * is no longer pending and is left alone. A case whose customer still has a notice of the
 * problem queued (not yet delivered) waits for it to settle: resolving it would close the loop
 * with a customer who was never told. Sent, it resolves on the next run; undeliverable, the
 * notifier sends the case back to the desk (notify.handler.ts). A case another problem holds
 * too (the trouble came back, and its new problem took the case) waits for that one's fix.
 */
export class ProblemWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly opts: {
      database: Database;
      clock: () => number;
      logger?: Logger;
      everyMs?: number;
      /** Multi-node: the leader's catch-up on what other nodes stored (every `catchUpMs`). */
      catchUp?: () => Promise<void>;
      catchUpMs?: number;
      /** Time passing on a quiet live desk (`idle-time.ts`), after each run of the timer. */
      idleTick?: () => Promise<void>;
    },
  ) {}
  private catchUpTimer: NodeJS.Timeout | null = null;
  private catchingUp: Promise<unknown> | null = null;

  start() {
    if (this.timer) return;
    const catchUp = this.opts.catchUp;
    if (catchUp) {
      this.catchUpTimer = setInterval(() => {
        if (this.catchingUp) return;
        this.catchingUp = catchUp()
          .catch((err) => this.opts.logger?.error({ err }, 'problem catch-up failed'))
          .finally(() => {
            this.catchingUp = null;
          });
      }, this.opts.catchUpMs ?? 2_000);
    }
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .then(() => this.opts.idleTick?.())
        .catch((err) => this.opts.logger?.error({ err }, 'problem worker failed'))
        .finally(() => {
          this.running = null;
        });
    }, this.opts.everyMs ?? 30_000);
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    this.timer = null;
    this.catchUpTimer = null;
    await this.running;
    await this.catchingUp;
  }

  /** Resolves what is due now; returns how many cases were resolved. */
  async runOnce(): Promise<number> {
    const { db } = this.opts.database;
    const now = this.opts.clock();
    const due = await db
      .selectFrom('problem_links')
      .innerJoin('cases', 'cases.id', 'problem_links.case_id')
      .select([
        'problem_links.id as linkId',
        'problem_links.problem_id as problemId',
        'problem_links.customer_id as customerId',
        'cases.id as caseId',
        'cases.workspace_id as ws',
      ])
      .where('problem_links.resolve_due_at', '<=', now)
      .where('problem_links.unlinked_at', 'is', null)
      // Held while a notice to the customer is still queued (not counted against the 500).
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('problem_notifications as pn')
              .select('pn.id')
              .whereRef('pn.problem_id', '=', 'problem_links.problem_id')
              .whereRef('pn.customer_id', '=', 'problem_links.customer_id')
              .where('pn.status', '=', 'queued'),
          ),
        ),
      )
      // Held while another problem holds the case too, still open or in its own quiet period:
      // its trouble is not over for this customer (it came back, and a new problem took the case).
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('problem_links as other')
              .innerJoin('problems as op', 'op.id', 'other.problem_id')
              .select('other.id')
              .whereRef('other.case_id', '=', 'problem_links.case_id')
              .whereRef('other.id', '!=', 'problem_links.id')
              .where('other.unlinked_at', 'is', null)
              // (A team's process problem tells its customers nothing and waits on no one.)
              .where('op.kind', '!=', 'process')
              .where((sub) =>
                sub.or([sub('op.status', 'in', OPEN), sub('other.resolve_due_at', '>', now)]),
              ),
          ),
        ),
      )
      .limit(500)
      .execute();
    let n = 0;
    for (const d of due) {
      await db.transaction().execute(async (trx) => {
        await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
        // The scan above read outside this transaction: the customer may have written back
        // (reopening the case), a person unlinked it or the fix was reverted since. Take the case
        // under its row lock first (every writer takes a case before its links: a person's fix,
        // the pipeline), then the link only if still due, and read both again.
        await trx
          .updateTable('cases')
          .set({ version: sql<number>`version` })
          .where('id', '=', d.caseId)
          .execute();
        // A notice was queued since the scan (a new update): the case waits for it too.
        const held = await trx
          .selectFrom('problem_notifications')
          .select('id')
          .where('problem_id', '=', d.problemId)
          .where('customer_id', '=', d.customerId)
          .where('status', '=', 'queued')
          .limit(1)
          .executeTakeFirst();
        if (held || (await heldElsewhere(trx, d.caseId, d.linkId, now))) return;
        const link = await trx
          .updateTable('problem_links')
          .set({ resolve_due_at: null })
          .where('id', '=', d.linkId)
          .where('resolve_due_at', '<=', now)
          .where('unlinked_at', 'is', null)
          .executeTakeFirst();
        if (Number(link.numUpdatedRows) === 0) return;
        const c = await trx
          .selectFrom('cases')
          .select(['status', 'status_reason'])
          .where('id', '=', d.caseId)
          .executeTakeFirst();
        const p = await trx
          .selectFrom('problems')
          .select('fixed_at')
          .where('id', '=', d.problemId)
          .executeTakeFirst();
        // The fix did not hold (the problem went back to fixing since, which clears fixed_at,
        // and may have been closed after that): the case waits for the next fix, which
        // schedules its resolution again.
        const stillFixed = p?.fixed_at != null;
        if (stillFixed && c?.status === 'pending' && c.status_reason === 'customer') {
          await setCaseStatus(trx, d.ws, d.caseId, c.status, 'resolved', null, now, {
            problemId: d.problemId,
            why: 'quiet period after fix',
          });
          n++;
        }
      });
    }
    return n;
  }
}
