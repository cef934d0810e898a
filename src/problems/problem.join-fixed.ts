import type { Kysely } from 'kysely';
import { queueProblemNotifications, requeueFailed } from '../notify/notify.service.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { pendLinkedCases } from './problem.cases.js';
import type { ProblemActor, ProblemRow } from './problem.service.js';
import { loadProblemSettings, noticeText } from './problem.settings.js';
import { problemEvent } from './problem.store.js';

/** Statuses in which a problem's fix stands (its linked cases wait for their customers). */
export const FIX_STANDS: ReadonlySet<string> = new Set(['fixed', 'verified']);

/**
 * Cases that join a problem whose fix stands (a person links them, a merge brings them in):
 * their customers are told as the linked customers were at the fix, through the same fan-out
 * (`queueProblemNotifications`, the outbox's `notify_customer`: same routing, fallbacks and
 * per-customer delivery status, and back to the desk when no route reaches them), and their
 * cases wait for the customer and resolve after the quiet period, counted from now. A customer
 * told since the fix already (by another of their cases) is not told twice; their new case
 * waits too. The notice goes out under the fix's update (the latest fixed one since the fix);
 * after a silent fix one is posted now, as a customer who joins is owed the news the others
 * were spared only by the team's choice for that change.
 *
 * Verified is treated as fixed: the fix held (complaints back to baseline), and a person who
 * links a case to it says this customer's trouble is that one, so they hear it is fixed and
 * their "still broken" reply reopens their case as any other linked customer's would. (The
 * detector links nothing new to a verified problem; a person's judgement is another matter.)
 * Returns how many customers were queued.
 */
export async function joinFixedProblem(
  trx: Kysely<DB>,
  actor: ProblemActor,
  p: ProblemRow,
  caseIds: readonly string[],
  now: number,
): Promise<number> {
  if (caseIds.length === 0 || !FIX_STANDS.has(p.status) || p.fixed_at === null) return 0;
  // A team's own process problem is not news for its cases' customers (`problem.service.ts`).
  if (p.kind === 'process') return 0;
  const ws = actor.workspaceId;
  const fixedAt = Number(p.fixed_at);
  const settings = await loadProblemSettings(trx, ws);
  const by = { now, actorType: actor.type, actorId: actor.id };
  // Read whole, filtered here: a merge may bring more cases than a statement takes parameters.
  const joinIds = new Set(caseIds);
  const joining = (
    await trx
      .selectFrom('problem_links')
      .select(['case_id', 'customer_id'])
      .where('problem_id', '=', p.id)
      .where('unlinked_at', 'is', null)
      .execute()
  ).filter((l) => joinIds.has(l.case_id));
  // A notice that failed or found no route told no one (the case went back to the desk).
  const told = await trx
    .selectFrom('problem_notifications')
    .select('customer_id')
    .where('problem_id', '=', p.id)
    .where('created_at', '>=', fixedAt)
    .where('status', 'in', ['queued', 'sent'])
    .execute();
  const toldIds = new Set(told.map((t) => t.customer_id));
  const customers = new Set(joining.map((j) => j.customer_id).filter((c) => !toldIds.has(c)));
  let notified = 0;
  if (customers.size > 0) {
    let update = await trx
      .selectFrom('problem_updates')
      .select(['id', 'body'])
      .where('problem_id', '=', p.id)
      .where('status', '=', 'fixed')
      .where('created_at', '>=', fixedAt)
      // A silent fix's words were for the team, not for customers.
      .where('silent', '=', 0)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!update) {
      update = { id: newId(), body: '' };
      await trx
        .insertInto('problem_updates')
        .values({
          id: update.id,
          workspace_id: ws,
          problem_id: p.id,
          status: 'fixed',
          body: '',
          eta_at: null,
          author: actor.id,
          created_at: now,
        })
        .execute();
    }
    const text = noticeText(settings, p, 'fixed', update.body, null, now, true);
    notified = await queueProblemNotifications(
      trx,
      ws,
      p.id,
      update.id,
      text,
      now,
      customers,
      settings.noticeHoldMinutes * 60_000,
    );
    // A case linked again after its notice failed: it may be reachable now (else it goes back
    // to the desk again), rather than waiting for a resolution its customer never heard of.
    await requeueFailed(trx, update.id, [...joinIds], now);
    await problemEvent(
      trx,
      ws,
      p.id,
      'update_posted',
      { updateId: update.id, queued: notified },
      by,
    );
  }
  await pendLinkedCases(trx, ws, p.id, now, settings.quietPeriodMinutes * 60_000, caseIds);
  return notified;
}
