import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import type { DetectorInput } from './detector-input.js';
import { queueEscalations } from './escalate.js';
import type { ProblemSettings } from './problem.settings.js';
import { problemEvent } from './problem.store.js';

const STILL_BROKEN =
  /\b(still|again|not (fixed|working)|doesn'?t work|isn'?t working|same problem|no change)\b/i;

/** A reply on a fixed problem's case that says the trouble is not gone. */
export function isStillBroken(tri: TriageResult | null, text: string): boolean {
  return STILL_BROKEN.test(text) || (!!tri?.complaint && tri.sentiment < 0);
}

/**
 * A customer answered a fix with "still broken": the case stays open (the thread stage
 * reopened it), its pending auto-resolve is cancelled, and the problem gets the evidence;
 * enough distinct customers reopen the problem itself.
 */
export async function recordStillBroken(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  reports: { problemId: string; item: DetectorInput }[],
  settings: ProblemSettings,
  changed: Set<string>,
) {
  for (const { problemId, item } of reports) {
    await trx
      .updateTable('problem_links')
      .set({ resolve_due_at: null })
      .where('problem_id', '=', problemId)
      .where('case_id', '=', item.caseId!)
      .execute();
    await problemEvent(
      trx,
      ws,
      problemId,
      'still_broken',
      {
        caseId: item.caseId,
        customerId: item.customerId,
        channel: item.channel,
        externalId: item.externalId,
      },
      { now, eventAt: item.at },
    );
    const row = await trx
      .updateTable('problems')
      .set({ still_broken_count: sql<number>`still_broken_count + 1`, updated_at: now })
      .where('id', '=', problemId)
      .returning(['still_broken_count', 'status'])
      .executeTakeFirst();
    if (
      row &&
      Number(row.still_broken_count) >= settings.reopenAfterStillBroken &&
      (row.status === 'fixed' || row.status === 'verified')
    ) {
      await trx
        .updateTable('problems')
        .set({
          status: 'fixing',
          fixed_at: null,
          still_broken_count: 0,
          version: sql<number>`version + 1`,
        })
        .where('id', '=', problemId)
        .execute();
      await problemEvent(
        trx,
        ws,
        problemId,
        'status_changed',
        { from: row.status, to: 'fixing', why: 'customers report it is still broken' },
        { now, eventAt: item.at },
      );
      await queueEscalations(trx, ws, problemId, 'problem.reopened', now);
    }
    changed.add(problemId);
  }
}
