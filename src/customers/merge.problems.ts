import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/**
 * What a customer merge or unmerge does to the problems their cases are linked to. A problem link
 * and a notice carry the customer they are about (`customer_id`): one notice per customer, the
 * gap and supersession between notices, the quiet period after a fix and the distinct-customer
 * count all key on it, so they move with the merge (`merge.service.ts`, OWNED) and this keeps the
 * problems' stored `customer_count` (read by escalations and integrations) true afterwards.
 */

/** The problems holding these links. */
export async function problemsOfLinks(trx: Kysely<DB>, linkIds: readonly string[]) {
  const out = new Set<string>();
  for (let i = 0; i < linkIds.length; i += 1000) {
    const rows = await trx
      .selectFrom('problem_links')
      .select('problem_id')
      .distinct()
      .where('id', 'in', linkIds.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.add(r.problem_id);
  }
  return out;
}

/**
 * Counts the problems' distinct customers again (as `problemCounts` does): two customers made
 * one are one person. Only the customer count: a merge moves no message off a case.
 */
export async function recountCustomers(
  trx: Kysely<DB>,
  problemIds: ReadonlySet<string>,
  now: number,
) {
  for (const id of problemIds) {
    const c = await trx
      .selectFrom('problem_links')
      .select(sql<number>`count(distinct customer_id)`.as('n'))
      .where('problem_id', '=', id)
      .where('unlinked_at', 'is', null)
      .executeTakeFirst();
    await trx
      .updateTable('problems')
      .set({ customer_count: Number(c?.n ?? 0), updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}

/**
 * On unmerge: links and notices made while merged (not in the merge's snapshot), on cases that are
 * the merged customer's again (its own cases and those its identities opened while merged), were
 * made for the survivor; they are about the merged customer. Returns the problems touched.
 */
export async function followCasesBack(
  trx: Kysely<DB>,
  m: { survivor_id: string; merged_id: string; created_at: number },
  caseIds: readonly string[],
): Promise<Set<string>> {
  const touched = new Set<string>();
  for (let i = 0; i < caseIds.length; i += 1000) {
    const part = caseIds.slice(i, i + 1000);
    const links = await trx
      .updateTable('problem_links')
      .set({ customer_id: m.merged_id })
      .where('case_id', 'in', part)
      .where('customer_id', '=', m.survivor_id)
      .where('created_at', '>=', Number(m.created_at))
      .returning('problem_id')
      .execute();
    for (const l of links) touched.add(l.problem_id);
    await trx
      .updateTable('problem_notifications')
      .set({ customer_id: m.merged_id })
      .where('case_id', 'in', part)
      .where('customer_id', '=', m.survivor_id)
      .where('created_at', '>=', Number(m.created_at))
      .execute();
  }
  return touched;
}
