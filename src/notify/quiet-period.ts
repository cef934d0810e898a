import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/**
 * The customer heard of the fix now: their cases waiting on it resolve after the quiet period
 * counted from now, not from the fix (a notice held by a rate limit left them less time to say
 * it is still broken than everyone else). Only the first fix notice they were sent since the fix
 * does so; later words on the fixed problem do not restart it.
 */
export async function quietFromDelivery(
  trx: Kysely<DB>,
  n: { id: string; problem_id: string; update_id: string; customer_id: string },
  sentAt: number,
  quietMs: number,
) {
  const update = await trx
    .selectFrom('problem_updates')
    .select('status')
    .where('id', '=', n.update_id)
    .executeTakeFirst();
  if (update?.status !== 'fixed') return;
  const p = await trx
    .selectFrom('problems')
    .select('fixed_at')
    .where('id', '=', n.problem_id)
    .executeTakeFirst();
  if (p?.fixed_at == null) return;
  const earlier = await trx
    .selectFrom('problem_notifications')
    .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
    .select('problem_notifications.id')
    .where('problem_notifications.problem_id', '=', n.problem_id)
    .where('problem_notifications.customer_id', '=', n.customer_id)
    .where('problem_notifications.status', '=', 'sent')
    .where('problem_notifications.id', '!=', n.id)
    .where('problem_updates.status', '=', 'fixed')
    .where('problem_updates.created_at', '>=', Number(p.fixed_at))
    .limit(1)
    .executeTakeFirst();
  if (earlier) return;
  await trx
    .updateTable('problem_links')
    .set({ resolve_due_at: sentAt + quietMs })
    .where('problem_id', '=', n.problem_id)
    .where('customer_id', '=', n.customer_id)
    .where('unlinked_at', 'is', null)
    // Waiting on the fix (a case the customer answered, or one resolved, has none).
    .where('resolve_due_at', 'is not', null)
    .where('resolve_due_at', '<', sentAt + quietMs)
    .execute();
}

/**
 * The workspace's quiet period changed from `fromMinutes` to `toMinutes`: the cases already
 * waiting on a fix (their due time counted from the fix, or from their customer's fix notice,
 * with the old period) wait the new period from that same moment, as later fixes will. A shorter
 * period may put a due time in the past: the quiet-period worker resolves those on its next run.
 * In the caller's transaction, with the settings' write.
 */
export async function shiftQuietPeriods(
  trx: Kysely<DB>,
  workspaceId: string,
  fromMinutes: number,
  toMinutes: number,
): Promise<number> {
  const delta = (toMinutes - fromMinutes) * 60_000;
  if (delta === 0) return 0;
  const r = await trx
    .updateTable('problem_links')
    .set((eb) => ({ resolve_due_at: eb('resolve_due_at', '+', delta) }))
    .where('workspace_id', '=', workspaceId)
    .where('unlinked_at', 'is', null)
    .where('resolve_due_at', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}
