import type { Kysely } from 'kysely';
import { queueProblemNotifications } from '../notify/notify.service.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { loadProblemSettings, noticeText } from './problem.settings.js';
import { problemEvent } from './problem.store.js';

/**
 * The customers told a problem was fixed hear that the fix did not hold, when the detector or
 * their own replies take it back to `fixing`: they were told the trouble is over, and their
 * trouble goes on. Only those who were told (a silent fix told no one, so nobody hears of its
 * failure either), through the same fan-out as the owner team's updates, as an update of the
 * problem's own (author: the system). `fixedAt`: the fix that failed, wall time.
 */
export async function tellFixFailed(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  fixedAt: number,
  body: string,
  now: number,
  eventAt: number,
): Promise<number> {
  const fixNotices = await trx
    .selectFrom('problem_notifications')
    .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
    .select('problem_notifications.customer_id')
    .where('problem_notifications.problem_id', '=', problemId)
    .where('problem_updates.status', '=', 'fixed')
    .where('problem_updates.created_at', '>=', fixedAt)
    .execute();
  const told = new Set(fixNotices.map((n) => n.customer_id));
  if (told.size === 0) return 0;
  const p = await trx
    .selectFrom('problems')
    .select(['title', 'area_json', 'eta_at'])
    .where('id', '=', problemId)
    .executeTakeFirstOrThrow();
  const settings = await loadProblemSettings(trx, ws);
  const updateId = newId();
  const eta = p.eta_at === null ? null : Number(p.eta_at);
  await trx
    .insertInto('problem_updates')
    .values({
      id: updateId,
      workspace_id: ws,
      problem_id: problemId,
      status: 'fixing',
      body,
      eta_at: eta,
      author: null,
      created_at: now,
    })
    .execute();
  const text = noticeText(settings, p, 'fixing', body, eta, now);
  const notified = await queueProblemNotifications(trx, ws, problemId, updateId, text, now, told);
  await problemEvent(trx, ws, problemId, 'update_posted', { updateId, notified }, { now, eventAt });
  return notified;
}
