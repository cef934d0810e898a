import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { slaEvent } from '../cases/case.sla.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { applySla } from '../sla/sla.store.js';

/*
 * What a problem's lifecycle does to its linked cases: a fix makes them wait for their customer,
 * leaving a fixed problem sends them back to the desk, each change with its case history entry
 * and its SLA clocks as an agent's change would have them.
 */

/**
 * Linked open cases wait for the customer; each resolves after the quiet period. `only`: just
 * these cases (ones that joined the problem after its fix).
 */
export async function pendLinkedCases(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  now: number,
  quietMs: number,
  only?: readonly string[],
) {
  if (only?.length === 0) return;
  const links = await trx
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select([
      'problem_links.id as linkId',
      'cases.id as caseId',
      'cases.status',
      'cases.status_reason as reason',
    ])
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.unlinked_at', 'is', null)
    .execute();
  const pend = only && new Set(only);
  for (const l of links) {
    if (pend && !pend.has(l.caseId)) continue;
    if (l.status === 'resolved' || l.status === 'closed') continue;
    // Waiting for its customer already (an agent asked them something): the fix changes nothing
    // in its status, so its history records no change; it still resolves after the quiet period.
    if (!(l.status === 'pending' && l.reason === 'customer'))
      await setCaseStatus(trx, ws, l.caseId, l.status, 'pending', 'customer', now, {
        problemId,
        why: 'problem fixed',
      });
    await trx
      .updateTable('problem_links')
      .set({ resolve_due_at: now + quietMs })
      .where('id', '=', l.linkId)
      .execute();
  }
}

/**
 * Cases that wait for their customer only because this problem was fixed, and now leave it
 * (unlinked, split off, merged into an unfixed problem): the fix they were told of may not be
 * theirs, so they go back to the desk (open) instead of waiting for a resolution that will never
 * be scheduled again. Also a customer no channel could tell of the fix (notify.handler.ts). Returns
 * how many went back.
 */
export async function releaseFromFix(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  caseIds: readonly string[],
  now: number,
  why: string,
  /** The open case's `status_reason`, when the desk must see at a glance why it is back. */
  reason: string | null = null,
): Promise<number> {
  if (caseIds.length === 0) return 0;
  const waiting = await waitingOnFix(trx, problemId, caseIds);
  for (const c of waiting)
    await setCaseStatus(trx, ws, c.id, c.status, 'open', reason, now, { problemId, why });
  return waiting.length;
}

/**
 * The problem goes back to being fixed (by a person, or automatically: still broken, new
 * customers after the fix, the trouble raised again): the fix its cases wait on no longer stands.
 * Those still waiting for their customer (not resolved or closed since) go back to the desk, open
 * with their SLA clocks running again and history saying why; left waiting, they sat paused
 * until the next fix while their customers were still affected. Returns how many went back.
 */
export async function reopenWaitingCases(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  now: number,
  why: string,
): Promise<number> {
  const waiting = await waitingOnFix(trx, problemId);
  for (const c of waiting)
    await setCaseStatus(trx, ws, c.id, c.status, 'open', null, now, { problemId, why });
  // No case resolves on the old fix's schedule; the next fix schedules its own.
  await trx
    .updateTable('problem_links')
    .set({ resolve_due_at: null })
    .where('problem_id', '=', problemId)
    .where('resolve_due_at', 'is not', null)
    .execute();
  return waiting.length;
}

/** The problem's cases a fix left waiting for their customer (of `caseIds` if given). */
function waitingOnFix(trx: Kysely<DB>, problemId: string, caseIds?: readonly string[]) {
  return trx
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select(['cases.id', 'cases.status'])
    .where('problem_links.problem_id', '=', problemId)
    .$if(caseIds === undefined, (q) => q.where('problem_links.unlinked_at', 'is', null))
    .$if(caseIds !== undefined, (q) => q.where('problem_links.case_id', 'in', caseIds!))
    .where('problem_links.resolve_due_at', 'is not', null)
    .where('cases.status', '=', 'pending')
    .where('cases.status_reason', '=', 'customer')
    .execute();
}

/** What a case's status change means for its SLA clocks (as an agent's change, case.service.ts). */
function slaTypeOf(from: string, to: 'open' | 'pending' | 'resolved', reason: string | null) {
  if (to === 'pending')
    return reason === 'customer' && from !== 'pending' ? 'pending_customer' : null;
  if (to === 'resolved') return 'resolved';
  if (from === 'pending') return 'resumed';
  return from === 'resolved' || from === 'closed' ? 'reopened' : null;
}

/**
 * Changes a case's status for a problem (fix, quiet period, leaving a fixed problem), with its
 * history entry and its SLA clocks: waiting on the customer pauses them, back to the desk
 * resumes them, resolved meets them. (Left running, every case of a big outage breached its
 * resolution target while it waited out the quiet period.)
 */
export async function setCaseStatus(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  from: string,
  to: 'open' | 'pending' | 'resolved',
  reason: string | null,
  now: number,
  data: Record<string, unknown>,
) {
  // A change to the status it has is none: no history entry saying "open to open". (Pending to
  // pending may change its reason; callers that know it does not skip the call.)
  if (from === to && to !== 'pending') return;
  const c = await trx
    .updateTable('cases')
    .set({
      status: to,
      // Pending says whom it waits on; open may say why it is back (a customer not told).
      status_reason: to === 'resolved' ? null : reason,
      ...(to === 'resolved' ? { resolved_at: now } : {}),
      version: sql<number>`version + 1`,
      updated_at: now,
    })
    .where('id', '=', caseId)
    .returning(['id', 'priority', 'channel'])
    .executeTakeFirst();
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: ws,
      case_id: caseId,
      type: 'status_changed',
      actor_type: 'system',
      actor_id: 'problems',
      data_json: JSON.stringify({ from, to, reason, ...data }),
      created_at: now,
      event_at: now,
    })
    .execute();
  const type = slaTypeOf(from, to, reason);
  if (c && type) await applySla(trx, ws, [slaEvent(c, type, now)], now);
}
