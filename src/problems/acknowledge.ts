import type { Kysely } from 'kysely';
import { slaEvent } from '../cases/case.sla.js';
import type { BatchState, CaseState } from '../ingest/pipeline/types.js';
import { queueNotifications } from '../notify/notify.service.js';
import type { DB } from '../platform/db/schema.js';
import { applySla } from '../sla/sla.store.js';
import { caseOnX, queueXAcknowledgement } from './ack-x.js';
import { isHistory } from './escalate.js';
import type { HistoryRef } from './link-history.js';
import { pendLinkedCases } from './problem.cases.js';
import { acknowledgementText, type ProblemSettings } from './problem.settings.js';

/** What an acknowledgement says of its problem: the problem as it was when the case joined it. */
export interface AckProblem {
  number: number;
  /** `process`: a team's own problem, which its cases' customers are not told of. */
  kind?: string;
  title: string;
  status: string;
  eta_at: number | null;
  topic?: string | null;
  area_json?: string | null;
}

/** A complaint linked on arrival, to be acknowledged. */
export interface Ack {
  problemId: string;
  caseId: string;
  customerId: string;
  at: number;
  /** A copy taken at the link: a later decision of the batch (a confirmation) is not its news. */
  problem: AckProblem;
  /** The problem the detector moved the case from (case-move.ts), named in its history entry. */
  from?: HistoryRef;
}

/**
 * The update id of an acknowledgement's notifications (`ack:<problemId>`): one per case and
 * problem; it has no `problem_updates` row.
 */
export const ACK_PREFIX = 'ack:';

const fixed = (status: string) => status === 'fixed' || status === 'verified';

/**
 * What the owner team said when they marked the problem fixed (its latest `fixed` update): a
 * complaint linked after the fix hears it as the customers told of the fix did.
 */
async function wordsOfFix(trx: Kysely<DB>, problemId: string): Promise<string> {
  const u = await trx
    .selectFrom('problem_updates')
    .select('body')
    .where('problem_id', '=', problemId)
    .where('status', '=', 'fixed')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return u?.body ?? '';
}

/**
 * The informed acknowledgement of complaints linked on arrival: a suggestion on the case, or sent
 * through the outbox when the admin turned that on (on X: a short public reply under a public
 * post and the full acknowledgement by DM, `ack-x.ts`). One that says it is still broken
 * (`noFixedAck`, `still-broken.arrivals.ts`) is never told the problem is fixed: its case shows
 * the link for an agent to answer. A case told of the fix waits for its customer and resolves
 * after the quiet period, as a case a person links after the fix does (`joinFixedProblem`).
 */
export async function acknowledgeArrivals(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  acks: readonly Ack[],
  settings: ProblemSettings,
  caseEvents: BatchState['caseEvents'],
  /** The newest event time of the batch: history is suggested, never sent. */
  newest: number,
  noFixedAck: ReadonlySet<string> = new Set(),
  /** The pipeline batch's cases (stored after detection): their status is changed there. */
  cases?: ReadonlyMap<string, CaseState>,
) {
  const told: Ack[] = [];
  const fixWords = new Map<string, string>();
  for (const a of acks) {
    const p = a.problem;
    const data = { problemId: a.problemId, number: p.number, ...(a.from ? { from: a.from } : {}) };
    // A team's own process problem: the link is history, nothing to tell its customer.
    if (p.kind === 'process') {
      caseEvents.push({ caseId: a.caseId, type: 'problem_linked', data, eventAt: a.at });
      continue;
    }
    if (fixed(p.status) && noFixedAck.has(a.caseId)) {
      caseEvents.push({
        caseId: a.caseId,
        type: 'problem_linked',
        data: { ...data, autoSent: false, stillBroken: true },
        eventAt: a.at,
      });
      continue;
    }
    if (fixed(p.status) && !fixWords.has(a.problemId))
      fixWords.set(a.problemId, await wordsOfFix(trx, a.problemId));
    const text = acknowledgementText(settings, p, now, fixWords.get(a.problemId));
    // Replayed or imported history is suggested, never sent: its customers were answered then.
    const send = settings.autoAcknowledge && !isHistory(Math.max(a.at, newest), now);
    caseEvents.push({
      caseId: a.caseId,
      type: 'problem_linked',
      data: { ...data, suggestedReply: text, autoSent: send },
      eventAt: a.at,
    });
    if (!send) continue;
    // On X: a short public reply and the full acknowledgement by DM (ack-x.ts).
    if (await caseOnX(trx, a.caseId, cases?.get(a.caseId)?.channel))
      await queueXAcknowledgement(trx, ws, now, a, `${ACK_PREFIX}${a.problemId}`, p, text);
    else
      await queueNotifications(
        trx,
        ws,
        a.problemId,
        `${ACK_PREFIX}${a.problemId}`,
        text,
        [{ case_id: a.caseId, customer_id: a.customerId }],
        now,
      );
    if (fixed(p.status)) told.push(a);
  }
  await waitOnCustomers(trx, ws, now, told, settings, caseEvents, cases);
}

/**
 * Cases told on arrival that their problem is fixed wait for their customer (pending) and
 * resolve after the quiet period (the link's `resolve_due_at`, as `pendLinkedCases` sets). A case
 * of this batch is changed in the batch's state, which `persist` writes after detection (a
 * change to its row now would be written over), with its history entry and its SLA clocks paused
 * as `setCaseStatus` does; a stored one (another node's message) through `pendLinkedCases`.
 */
async function waitOnCustomers(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  told: readonly Ack[],
  settings: ProblemSettings,
  caseEvents: BatchState['caseEvents'],
  cases?: ReadonlyMap<string, CaseState>,
) {
  const quietMs = settings.quietPeriodMinutes * 60_000;
  for (const a of told) {
    const c = cases?.get(a.caseId);
    if (!c) {
      await pendLinkedCases(trx, ws, a.problemId, now, quietMs, [a.caseId]);
      continue;
    }
    if (c.status === 'resolved' || c.status === 'closed') continue;
    if (!(c.status === 'pending' && c.statusReason === 'customer')) {
      caseEvents.push({
        caseId: c.id,
        type: 'status_changed',
        data: {
          from: c.status,
          to: 'pending',
          reason: 'customer',
          problemId: a.problemId,
          why: 'problem fixed',
        },
        eventAt: a.at,
      });
      if (c.status !== 'pending' && !c.history)
        await applySla(trx, ws, [slaEvent(c, 'pending_customer', a.at)], now);
      c.status = 'pending';
      c.statusReason = 'customer';
      c.dirty = true;
    }
    await trx
      .updateTable('problem_links')
      .set({ resolve_due_at: now + quietMs })
      .where('problem_id', '=', a.problemId)
      .where('case_id', '=', a.caseId)
      .where('unlinked_at', 'is', null)
      .execute();
  }
}
