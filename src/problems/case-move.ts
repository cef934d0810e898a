import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { problemEvent, recountProblem } from './problem.store.js';

/**
 * A case belongs to one problem at a time: its customer hears one problem's news and waits for
 * one fix. When the detector links a newer complaint of a case to another problem than the open
 * one holding it (that one no longer claims the case's trouble: its episode is over, or it was
 * verified), the case moves, and the old problem's history says where. A case a person linked
 * stays where they put it: the new link is refused. Returns whether the case may join `to`.
 */
export async function moveCase(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  from: string,
  to: string,
  at: { now: number; eventAt: number },
): Promise<boolean> {
  const link = await trx
    .selectFrom('problem_links')
    .select('source')
    .where('problem_id', '=', from)
    .where('case_id', '=', caseId)
    .where('unlinked_at', 'is', null)
    .executeTakeFirst();
  if (!link) return true;
  if (link.source !== 'auto') return false;
  await trx
    .updateTable('problem_links')
    .set({ unlinked_at: at.now, resolve_due_at: null })
    .where('problem_id', '=', from)
    .where('case_id', '=', caseId)
    .execute();
  await problemEvent(trx, ws, from, 'unlinked', { caseIds: [caseId], movedTo: to }, at);
  await recountProblem(trx, from, at.now);
  return true;
}
