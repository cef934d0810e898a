import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/*
 * Notices that must not go out at all (status `cancelled`, the reason in `error`): to an erased
 * customer (nothing is sent to a person who asked to be forgotten, and their address is gone:
 * it would go to "[erased]"), or about a problem their case no longer belongs to (unlinked, or
 * split off into another problem: "fixed" would be wrong while it is open there).
 */

/** The `error` of a notice cancelled because its customer was erased. */
export const CANCELLED_ERASED = 'cancelled: the customer was erased';

const chunks = <T>(xs: readonly T[], n = 300) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Cancels the queued notices to these customers or on these cases (an erasure). */
export async function cancelErasedNotices(
  trx: Kysely<DB>,
  customerIds: readonly string[],
  caseIds: readonly string[],
): Promise<void> {
  for (const part of chunks(customerIds))
    await trx
      .updateTable('problem_notifications')
      .set({ status: 'cancelled', error: CANCELLED_ERASED })
      .where('status', '=', 'queued')
      .where('customer_id', 'in', part)
      .execute();
  for (const part of chunks(caseIds))
    await trx
      .updateTable('problem_notifications')
      .set({ status: 'cancelled', error: CANCELLED_ERASED })
      .where('status', '=', 'queued')
      .where('case_id', 'in', part)
      .execute();
}

/**
 * Cases just taken out of a problem (unlinked, split off): their queued notices of that problem
 * are cancelled, unless the customer still has another case in it (then they are still the
 * problem's customer, and the handler sends on that case).
 */
export async function cancelUnlinkedNotices(
  trx: Kysely<DB>,
  problemId: string,
  caseIds: readonly string[],
  why: string,
): Promise<void> {
  for (const part of chunks(caseIds)) {
    const queued = await trx
      .selectFrom('problem_notifications')
      .select(['id', 'customer_id'])
      .where('problem_id', '=', problemId)
      .where('case_id', 'in', part)
      .where('status', '=', 'queued')
      .execute();
    for (const n of queued) {
      if ((await activeCasesOf(trx, problemId, n.customer_id)).length > 0) continue;
      await trx
        .updateTable('problem_notifications')
        .set({ status: 'cancelled', error: `cancelled: ${why}` })
        .where('id', '=', n.id)
        .execute();
    }
  }
}

/** The customer's cases the problem still holds, the most recently linked first. */
export async function activeCasesOf(
  db: Kysely<DB>,
  problemId: string,
  customerId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select('problem_links.case_id')
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.customer_id', '=', customerId)
    .where('problem_links.unlinked_at', 'is', null)
    .where('cases.erased_at', 'is', null)
    .orderBy('problem_links.linked_at', 'desc')
    .orderBy('problem_links.case_id', 'desc')
    .execute();
  return rows.map((r) => r.case_id);
}

/**
 * Checked when a notice's turn comes: whom it may still go to. Null (the notice is cancelled,
 * with the reason) when the customer was erased or none of their cases is in the problem any
 * more; else the cases to try, the notice's own first when the problem still holds it.
 */
export async function stillDue(
  db: Kysely<DB>,
  n: { id: string; problem_id: string; customer_id: string; case_id: string },
): Promise<string[] | null> {
  const customer = await db
    .selectFrom('customers')
    .select('erased_at')
    .where('id', '=', n.customer_id)
    .executeTakeFirst();
  const cases =
    customer && customer.erased_at == null
      ? await casesInProblem(db, n.problem_id, n.customer_id)
      : [];
  if (cases.length > 0)
    return cases.includes(n.case_id) ? [n.case_id, ...cases.filter((c) => c !== n.case_id)] : cases;
  const error =
    customer && customer.erased_at == null
      ? 'cancelled: the case is no longer linked to the problem'
      : CANCELLED_ERASED;
  await db
    .updateTable('problem_notifications')
    .set({ status: 'cancelled', error })
    .where('id', '=', n.id)
    .where('status', 'in', ['queued', 'failed', 'undeliverable'])
    .execute();
  return null;
}

/**
 * The customer's cases the problem holds; a problem merged into another holds none, its cases
 * are the survivor's now (a notice queued before the merge still concerns them).
 */
async function casesInProblem(db: Kysely<DB>, problemId: string, customerId: string) {
  let id: string | null = problemId;
  for (let hops = 0; id && hops < 10; hops++) {
    const cases = await activeCasesOf(db, id, customerId);
    if (cases.length > 0) return cases;
    const p: { merged_into: string | null } | undefined = await db
      .selectFrom('problems')
      .select('merged_into')
      .where('id', '=', id)
      .executeTakeFirst();
    id = p?.merged_into ?? null;
  }
  return [];
}

/** The `error` of a notice cancelled because its problem was closed before it went out. */
export const CANCELLED_CLOSED = 'cancelled: the problem was closed before it went out';

/**
 * A problem just closed by a person: its queued news from before a fix (an acknowledgement, an
 * update while it was worked on) is cancelled, as it would reach customers after the closing.
 * A fix notice (its update posted at `fixed` or later) still goes: it tells them the outcome.
 */
export async function cancelUnsentNews(trx: Kysely<DB>, problemId: string): Promise<void> {
  await trx
    .updateTable('problem_notifications')
    .set({ status: 'cancelled', error: CANCELLED_CLOSED })
    .where('problem_id', '=', problemId)
    .where('status', '=', 'queued')
    .where((eb) =>
      eb(
        'update_id',
        'in',
        eb
          .selectFrom('problem_updates')
          .select('id')
          .where('problem_id', '=', problemId)
          .where('status', 'not in', ['fixed', 'verified']),
      ),
    )
    .execute();
}
