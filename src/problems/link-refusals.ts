import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';

/**
 * A case is in one open problem at a time, as the pipeline links it (one problem per case):
 * a second would tell its customer of two lifecycles, and "fixed" on one while the other is
 * still being fixed. Creating a problem from a case an open problem holds is refused (409),
 * naming that problem: the person splits the case off it (which moves it, with history on
 * both) or unlinks it there first. Linking such a case to another problem by hand is refused
 * the same way (`except` is the problem it is being linked to). A closed problem's links are history and do not count. The
 * case's row is locked first, so two people making a problem of it at once take turns.
 */
export async function refuseCaseOfOpenProblem(trx: Kysely<DB>, caseId: string, except?: string) {
  await trx
    .updateTable('cases')
    .set({ version: sql<number>`version` })
    .where('id', '=', caseId)
    .execute();
  const held = await trx
    .selectFrom('problem_links')
    .innerJoin('problems', 'problems.id', 'problem_links.problem_id')
    .select(['problems.id', 'problems.number', 'problems.title'])
    .where('problem_links.case_id', '=', caseId)
    .where('problem_links.unlinked_at', 'is', null)
    .where('problems.status', '!=', 'closed')
    .$if(!!except, (q) => q.where('problems.id', '!=', except!))
    .orderBy('problems.id')
    .executeTakeFirst();
  if (held)
    throw new AppError(
      'conflict',
      `case ${caseId} is already in open problem #${held.number} "${held.title}" (${held.id}); ` +
        `split it off that problem (POST /api/v1/problems/${held.id}/split) or unlink it there first`,
      { problemId: held.id },
    );
}

/** Which of `caseIds` are erased (the case, or its customer). */
export async function erasedCaseIds(
  trx: Kysely<DB>,
  caseIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  // Chunked: a raise can link hundreds of open cases at once (SQLite's bound-parameter limit).
  for (let i = 0; i < caseIds.length; i += 500) {
    const rows = await trx
      .selectFrom('cases')
      .innerJoin('customers', 'customers.id', 'cases.customer_id')
      .select('cases.id')
      .where('cases.id', 'in', caseIds.slice(i, i + 500))
      .where((eb) =>
        eb.or([eb('cases.erased_at', 'is not', null), eb('customers.erased_at', 'is not', null)]),
      )
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * An erased case (its customer erased) joins no problem, as it takes no answer (422): its
 * customer would be counted and sent the problem's notices, to the "[erased]" placeholder.
 */
export async function refuseErasedCases(trx: Kysely<DB>, caseIds: readonly string[]) {
  if (caseIds.length === 0) return;
  const erased = [...(await erasedCaseIds(trx, caseIds))].sort();
  if (erased.length > 0)
    throw new AppError(
      'invalid_transition',
      `the customer of case ${erased.join(', ')} was erased; an erased case cannot be linked to a problem`,
      { erased },
    );
}
