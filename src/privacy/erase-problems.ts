import type { Kysely } from 'kysely';
import { cancelErasedNotices } from '../notify/notify.cancel.js';
import type { DB } from '../platform/db/schema.js';
import { problemEvent, recountProblem } from '../problems/problem.store.js';
import { chunks } from './scrub.js';

/**
 * An erased customer leaves the problems their cases were in: the links are ended (a problem's
 * customer count drops; the detector, which does not put back a link a person removed, leaves
 * them out too), each problem's history says which cases left and why (ids only), and their
 * notices still queued are cancelled, never sent to the "[erased]" placeholder.
 */
export async function leaveProblems(
  trx: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly string[],
  caseIds: readonly string[],
  now: number,
): Promise<void> {
  const links: { problem_id: string; case_id: string }[] = [];
  const seen = new Set<string>();
  const add = (rows: { problem_id: string; case_id: string }[]) => {
    for (const r of rows)
      if (!seen.has(`${r.problem_id}>${r.case_id}`)) {
        seen.add(`${r.problem_id}>${r.case_id}`);
        links.push(r);
      }
  };
  for (const part of chunks(customerIds))
    add(await live(trx).where('customer_id', 'in', part).execute());
  for (const part of chunks(caseIds)) add(await live(trx).where('case_id', 'in', part).execute());
  const byProblem = new Map<string, string[]>();
  for (const l of links)
    byProblem.set(l.problem_id, [...(byProblem.get(l.problem_id) ?? []), l.case_id]);
  for (const [problemId, cases] of byProblem) {
    for (const part of chunks(cases))
      await trx
        .updateTable('problem_links')
        .set({ unlinked_at: now, resolve_due_at: null })
        .where('problem_id', '=', problemId)
        .where('case_id', 'in', part)
        .where('unlinked_at', 'is', null)
        .execute();
    await problemEvent(
      trx,
      workspaceId,
      problemId,
      'unlinked',
      { caseIds: cases, reason: 'erased' },
      { now, actorType: 'system', actorId: 'privacy' },
    );
    await recountProblem(trx, problemId, now);
  }
  await cancelErasedNotices(trx, customerIds, caseIds);
}

const live = (trx: Kysely<DB>) =>
  trx
    .selectFrom('problem_links')
    .select(['problem_id', 'case_id'])
    .where('unlinked_at', 'is', null);
