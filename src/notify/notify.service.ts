import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { outboxRow } from '../platform/outbox/outbox.row.js';

/**
 * Queues one notification per linked customer of a problem for one status update, on their
 * most recently linked case (a customer who wrote twice, say on X and by e-mail, hears it once):
 * a `problem_notifications` row (the per-customer delivery status) and a `notify_customer`
 * outbox row, in the caller's transaction. Idempotent per (update, case). `only`: just these
 * customers (ones who joined a fixed problem). `holdMs`: the delivery waits this long (the
 * problem settings' `noticeHoldMinutes`), so a newer update queued meanwhile takes its place.
 * Returns the number of customers.
 */
export async function queueProblemNotifications(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  updateId: string,
  text: string,
  now: number,
  only?: ReadonlySet<string>,
  holdMs = 0,
): Promise<number> {
  // An erased customer (or case) is told nothing: nothing goes to a person who asked to be
  // forgotten, and their address is gone.
  const links = await trx
    .selectFrom('problem_links')
    .innerJoin('customers', 'customers.id', 'problem_links.customer_id')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select(['problem_links.case_id', 'problem_links.customer_id'])
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.unlinked_at', 'is', null)
    .where('customers.erased_at', 'is', null)
    .where('cases.erased_at', 'is', null)
    .orderBy('problem_links.linked_at', 'desc')
    .orderBy('problem_links.case_id', 'desc')
    .execute();
  const byCustomer = new Map<string, { case_id: string; customer_id: string }>();
  for (const l of links)
    if (!byCustomer.has(l.customer_id) && (!only || only.has(l.customer_id)))
      byCustomer.set(l.customer_id, l);
  const one = [...byCustomer.values()];
  return queueNotifications(trx, workspaceId, problemId, updateId, text, one, now, holdMs);
}

/**
 * Queues `text` for the given linked cases (e.g. one informed acknowledgement, sent at once:
 * it answers the customer's own message). `holdMs`: see `queueProblemNotifications`.
 */
export async function queueNotifications(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  updateId: string,
  text: string,
  links: readonly { case_id: string; customer_id: string }[],
  now: number,
  holdMs = 0,
): Promise<number> {
  let queued = 0;
  for (let i = 0; i < links.length; i += 300) {
    const chunk = await notErased(trx, links.slice(i, i + 300));
    if (chunk.length === 0) continue;
    queued += chunk.length;
    await trx
      .insertInto('problem_notifications')
      .values(
        chunk.map((l) => ({
          id: newId(),
          workspace_id: workspaceId,
          problem_id: problemId,
          update_id: updateId,
          case_id: l.case_id,
          customer_id: l.customer_id,
          text,
          status: 'queued',
          channel: null,
          address: null,
          message_id: null,
          error: null,
          created_at: now,
          sent_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['update_id', 'case_id']).doNothing())
      .execute();
    await trx
      .insertInto('outbox')
      .values(chunk.map((l) => delivery(workspaceId, updateId, l.case_id, now, '', now + holdMs)))
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }
  return queued;
}

/** The links whose customer and case were not erased (see `queueProblemNotifications`). */
async function notErased<L extends { case_id: string; customer_id: string }>(
  trx: Kysely<DB>,
  links: readonly L[],
): Promise<L[]> {
  if (links.length === 0) return [];
  const customers = await trx
    .selectFrom('customers')
    .select('id')
    .where('id', 'in', [...new Set(links.map((l) => l.customer_id))])
    .where('erased_at', 'is not', null)
    .execute();
  const cases = await trx
    .selectFrom('cases')
    .select('id')
    .where('id', 'in', [...new Set(links.map((l) => l.case_id))])
    .where('erased_at', 'is not', null)
    .execute();
  const erased = new Set([...customers, ...cases].map((r) => r.id));
  return links.filter((l) => !erased.has(l.customer_id) && !erased.has(l.case_id));
}

/**
 * Queues again the notifications of `updateId` to these cases that failed or found no route, as
 * new outbox deliveries (the first one is over). Returns how many.
 */
export async function requeueFailed(
  trx: Kysely<DB>,
  updateId: string,
  caseIds: readonly string[],
  now: number,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < caseIds.length; i += 300) {
    const failed = await trx
      .selectFrom('problem_notifications')
      .select(['id', 'case_id', 'workspace_id', 'customer_id'])
      .where('update_id', '=', updateId)
      .where('case_id', 'in', caseIds.slice(i, i + 300))
      .where('status', 'in', ['failed', 'undeliverable'])
      .execute();
    const live = new Set((await notErased(trx, failed)).map((f) => f.id));
    for (const f of failed) {
      if (!live.has(f.id)) continue;
      // The customer is being told on another of their cases already.
      const other = await trx
        .selectFrom('problem_notifications')
        .select('id')
        .where('update_id', '=', updateId)
        .where('customer_id', '=', f.customer_id)
        .where('status', 'in', ['queued', 'sent'])
        .executeTakeFirst();
      if (other) continue;
      await trx
        .updateTable('problem_notifications')
        .set({ status: 'queued', error: null, created_at: now })
        .where('id', '=', f.id)
        .execute();
      await trx
        .insertInto('outbox')
        // A new delivery: the first one's key is spent.
        .values(delivery(f.workspace_id, updateId, f.case_id, now, `:${now}`))
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      n++;
    }
  }
  return n;
}

/** The outbox key of a notification's delivery (a re-send adds a suffix). */
export function deliveryKey(updateId: string, caseId: string, keySuffix = ''): string {
  return `notify_customer:${updateId}:${caseId}${keySuffix}`;
}

/** A route a delivery is not to take again, and why (`NoticePayload.refused`). */
export interface RefusedRoute {
  channel: string;
  to: string;
  visibility: 'public' | 'private';
  /** Why, in full, for the notification's `error` (the provider's reason). */
  why: string;
  /** Why, in a few words, where the route would have been chosen. */
  short: string;
}

/** The payload of a `notify_customer` outbox row. */
export interface NoticePayload {
  updateId: string;
  caseId: string;
  /**
   * Routes that failed an earlier delivery of this notice for good (the provider reported it
   * undelivered after taking it): the customer's next route is tried, as after a refusal.
   */
  refused?: RefusedRoute[];
}

/** The outbox row that delivers one notification (`notify.handler.ts`), due at `dueAt`. */
export function delivery(
  ws: string,
  updateId: string,
  caseId: string,
  now: number,
  keySuffix = '',
  dueAt = now,
  refused?: RefusedRoute[],
) {
  const payload: NoticePayload = { updateId, caseId, ...(refused ? { refused } : {}) };
  return outboxRow({
    workspaceId: ws,
    kind: 'notify_customer',
    key: deliveryKey(updateId, caseId, keySuffix),
    payload,
    now,
    dueAt,
  });
}
