import type { Kysely } from 'kysely';
import { queueProblemNotifications } from '../notify/notify.service.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { FIX_STANDS } from './problem.join-fixed.js';
import { loadProblemSettings, noticeText } from './problem.settings.js';
import { problemEvent } from './problem.store.js';

/** What customers of a fixed problem merged into one not fixed read (`mergeProblems`). */
export const MERGED_NOTICE =
  'The fix we told you about did not cover your trouble: it is part of this one, which the team is still working on.';

/** What customers of a fixed problem's cases split off into a new one read (`splitProblem`). */
export const SPLIT_NOTICE =
  'The fix we told you about did not cover your trouble: the team is now working on it separately.';

/**
 * Cases split off a problem whose fix stands go to a new problem, not fixed: the customers of
 * those cases who were told of the fix hear that it did not cover their trouble, as a merge into
 * a problem not fixed tells them (QA: a split sent nothing, and they waited for nothing).
 */
export async function tellSplitOff(
  trx: Kysely<DB>,
  ws: string,
  src: { id: string; status: string; fixed_at: number | string | null },
  into: { problemId: string; status: string },
  customers: ReadonlySet<string>,
  at: { now: number; actorType?: string; actorId?: string | null },
): Promise<number> {
  if (!FIX_STANDS.has(src.status) || src.fixed_at === null) return 0;
  const told = { problemId: src.id, fixedAt: Number(src.fixed_at) };
  return tellFixFailed(trx, ws, told, into, SPLIT_NOTICE, at, customers);
}

/**
 * The customers told a problem was fixed hear that the fix did not hold, when the detector or
 * their own replies take it back to `fixing`, or a person merges it into a problem not fixed:
 * they were told the trouble is over, and their trouble goes on. Only those who were told (a
 * silent fix told no one, so nobody hears of its failure either), through the same fan-out as
 * the owner team's updates, as an update (author: the system) of the problem that now holds
 * their cases. `told`: the fix that failed (its problem, and when it was made, wall time).
 */
export async function tellFixFailed(
  trx: Kysely<DB>,
  ws: string,
  told: { problemId: string; fixedAt: number },
  post: { problemId: string; status: string },
  body: string,
  at: { now: number; eventAt?: number; actorType?: string; actorId?: string | null },
  /** Only these customers (a split takes some of the problem's cases). */
  only?: ReadonlySet<string>,
): Promise<number> {
  const { now } = at;
  const problemId = post.problemId;
  const fixNotices = await trx
    .selectFrom('problem_notifications')
    .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
    .select('problem_notifications.customer_id')
    .where('problem_notifications.problem_id', '=', told.problemId)
    .where('problem_updates.status', '=', 'fixed')
    .where('problem_updates.created_at', '>=', told.fixedAt)
    // A notice that failed or found no route told no one of the fix.
    .where('problem_notifications.status', 'in', ['queued', 'sent'])
    .execute();
  const customers = new Set(
    fixNotices.map((n) => n.customer_id).filter((c) => !only || only.has(c)),
  );
  if (customers.size === 0) return 0;
  const p = await trx
    .selectFrom('problems')
    .select(['title', 'topic', 'area_json', 'eta_at'])
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
      status: post.status,
      body,
      eta_at: eta,
      author: null,
      created_at: now,
    })
    .execute();
  const text = noticeText(settings, p, post.status, body, eta, now);
  const notified = await queueProblemNotifications(
    trx,
    ws,
    problemId,
    updateId,
    text,
    now,
    customers,
    settings.noticeHoldMinutes * 60_000,
  );
  await problemEvent(trx, ws, problemId, 'update_posted', { updateId, queued: notified }, at);
  return notified;
}
