import type { Kysely } from 'kysely';
import { slaEvent } from '../cases/case.sla.js';
import type { BatchState, CaseState } from '../ingest/pipeline/types.js';
import type { DB } from '../platform/db/schema.js';
import { applySla } from '../sla/sla.store.js';
import { setCaseStatus } from './problem.cases.js';

/** The pipeline batch a "still broken" report came with: its cases are written after detection. */
export interface StillBrokenBatch {
  cases?: ReadonlyMap<string, CaseState>;
  caseEvents: BatchState['caseEvents'];
}

/**
 * A customer said the problem is still broken, on `saidOn` (a reply to the fix notice, or a new
 * post that got a case of its own): none of their other cases of the problem may resolve quietly
 * as fixed. Each one waiting on the fix (pending on the customer, its quiet period running) goes
 * back to the desk, open, its SLA clocks running again, with a history entry naming the case
 * where the customer said so; its quiet period is cancelled.
 *
 * Why reopen rather than merge: the waiting case asked the customer "is it working now?" and
 * this is their answer, given elsewhere; it is answered as a reply on the case itself would be
 * (the thread stage reopens that one). Moving messages between cases behind the desk's back would
 * answer the customer on a channel they did not choose now, and a merge is a person's call; the
 * entry lets the agent of either case see the other and close one as a duplicate if they wish.
 * Before, the old case resolved after the quiet period while the new one said it was broken.
 */
export async function reopenOthersOfCustomer(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  customerId: string,
  saidOn: string,
  at: { now: number; eventAt: number },
  batch?: StillBrokenBatch,
): Promise<void> {
  const waiting = await trx
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select(['cases.id', 'cases.status', 'cases.status_reason as reason'])
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.customer_id', '=', customerId)
    .where('problem_links.case_id', '!=', saidOn)
    .where('problem_links.unlinked_at', 'is', null)
    .where('problem_links.resolve_due_at', 'is not', null)
    .execute();
  if (waiting.length === 0) return;
  await trx
    .updateTable('problem_links')
    .set({ resolve_due_at: null })
    .where('problem_id', '=', problemId)
    .where(
      'case_id',
      'in',
      waiting.map((w) => w.id),
    )
    .execute();
  const data = {
    problemId,
    why: `the customer said it is still broken on another case (${saidOn})`,
    stillBrokenOn: saidOn,
  };
  for (const w of waiting) {
    // A case of this batch is changed in the batch's state, which is written after detection (a
    // change to its row now would be written over), as acknowledge.ts does.
    const c = batch?.cases?.get(w.id);
    if (c) {
      if (c.status !== 'pending' || c.statusReason !== 'customer') continue;
      batch?.caseEvents.push({
        caseId: c.id,
        type: 'status_changed',
        data: { from: c.status, to: 'open', reason: null, ...data },
        eventAt: at.eventAt,
      });
      if (!c.history) await applySla(trx, ws, [slaEvent(c, 'resumed', at.eventAt)], at.now);
      c.status = 'open';
      c.statusReason = null;
      c.dirty = true;
      continue;
    }
    if (w.status === 'pending' && w.reason === 'customer')
      await setCaseStatus(trx, ws, w.id, w.status, 'open', null, at.now, data);
  }
}
