import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import { toneOf } from '../triage/sentiment.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './detector/config.js';
import { related } from './detector/link.js';
import type { DetectorInput } from './detector-input.js';
import type { ProblemSettings } from './problem.settings.js';
import { problemEvent } from './problem.store.js';
import { backToFixing, REOPEN_WITHIN_MS } from './reopen.js';
import { reopenOthersOfCustomer, type StillBrokenBatch } from './still-broken.cases.js';
import { shortNegative } from './still-broken.intl.js';
import { saysItWorks, saysStillBroken } from './still-broken.words.js';

export { saysStillBroken } from './still-broken.words.js';

/** What of a linked problem decides whether a message on its case is a "still broken" report. */
export interface FixedProblem {
  status: string;
  topic: string | null;
  /** The fix in event time (`event-clock.ts`): messages are judged by their own times. */
  fixed_event_at: number | null;
}

/**
 * A message on a fixed problem's case that says the trouble is not gone: sent after the fix
 * (within the window a fix is reopened in at all), and either saying so in words or being a
 * negative complaint about the problem's kind of trouble. A complaint about something else
 * (a bill, a week after an outage was fixed) is a new need, not evidence against the fix.
 * "Related" uses the installation's detector topic groups (`config`). `answersFix`: the message
 * answers the fix notice (the case's last message out was it), which asked for a reply if it is
 * still not working: then a short "no" ("nope", "no luck", "👎") says so too.
 */
export function isStillBroken(
  p: FixedProblem,
  tri: TriageResult | null,
  text: string,
  at: number,
  config: Pick<DetectorConfig, 'topicGroups'> = DEFAULT_DETECTOR_CONFIG,
  answersFix = false,
): boolean {
  if (!withinFixWindow(p, at)) return false;
  if (saysStillBroken(text) || (answersFix && shortNegative(text))) return true;
  // Else a complaint about the problem's kind of trouble, negative in tone and not thanks. A
  // neutral one ("no internet here") is as likely a new complaint: counting those reopened fixed
  // problems in the full-pipeline evaluation (seed 1: linking F1 0.934 → 0.892). The tone, not
  // the sentiment: since triage v7 the sentiment counts a lack ("no internet") as negative.
  if (!tri?.complaint || p.topic === null || toneOf(text) >= 0 || saysItWorks(text)) return false;
  return related(config, p.topic, tri.topic);
}

/** Whether a message at `at` is after the problem's standing fix, within the reopen window. */
export function withinFixWindow(p: FixedProblem, at: number): boolean {
  const fixedAt = p.fixed_event_at;
  if ((p.status !== 'fixed' && p.status !== 'verified') || fixedAt === null) return false;
  return at >= fixedAt && at - fixedAt <= REOPEN_WITHIN_MS;
}

/** A "still broken" message on a case linked to a fixed problem. */
export interface StillBrokenReport {
  problemId: string;
  fixedAt: number;
  item: DetectorInput;
}

/**
 * Customers answered a fix with "still broken": each case stays open (the thread stage reopened
 * it), its pending auto-resolve is cancelled, and the problem gets the evidence. The customer's
 * other cases of the problem waiting on the fix go back to the desk (`still-broken.cases.ts`). The problem
 * itself goes back to `fixing` when enough DISTINCT customers said so after the grace period
 * (restoration takes a while to reach everyone, and messages written before the customer saw
 * the fix cross it): at least `reopenAfterStillBroken`, and at least `reopenStillBrokenShare` of
 * the customers linked to it, so a handful of stragglers cannot reopen a fix that reached
 * thousands. (Customers mid-conversation when a fix lands keep writing: in the simulator's
 * traffic 5–9 % of a problem's customers send a "still down" after a fix that held.)
 */
export async function recordStillBroken(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  reports: StillBrokenReport[],
  settings: ProblemSettings,
  changed: Set<string>,
  /** The pipeline's batch, whose cases are written after detection. */
  batch?: StillBrokenBatch,
) {
  const graceMs = settings.stillBrokenGraceMinutes * 60_000;
  for (const { problemId, fixedAt, item } of reports) {
    const caseId = item.caseId;
    await problemEvent(
      trx,
      ws,
      problemId,
      'still_broken',
      {
        caseId: item.caseId,
        customerId: item.customerId,
        channel: item.channel,
        externalId: item.externalId,
      },
      { now, eventAt: item.at },
    );
    changed.add(problemId);
    // Within the grace period too: the customer told us, whether or not it counts against the fix.
    const at = { now, eventAt: item.at };
    await reopenOthersOfCustomer(trx, ws, problemId, item.customerId, caseId!, at, batch);
    const counts = item.at >= fixedAt + graceMs;
    // First report of this case since the fix (a second message of the same customer is not
    // a second customer).
    const first = await trx
      .updateTable('problem_links')
      .set({ resolve_due_at: null, ...(counts ? { still_broken_at: item.at } : {}) })
      .where('problem_id', '=', problemId)
      .where('case_id', '=', caseId!)
      .where('unlinked_at', 'is', null)
      .where((eb) =>
        eb.or([eb('still_broken_at', 'is', null), eb('still_broken_at', '<', fixedAt)]),
      )
      .executeTakeFirst();
    if (!counts || Number(first.numUpdatedRows) === 0) continue;
    const tally = await trx
      .selectFrom('problem_links')
      .select([
        sql<number>`count(distinct customer_id)`.as('linked'),
        sql<number>`count(distinct case when still_broken_at >= ${fixedAt} then customer_id end)`.as(
          'broken',
        ),
      ])
      .where('problem_id', '=', problemId)
      .where('unlinked_at', 'is', null)
      .executeTakeFirstOrThrow();
    const broken = Number(tally.broken);
    const needed = Math.max(
      settings.reopenAfterStillBroken,
      Math.ceil(settings.reopenStillBrokenShare * Number(tally.linked)),
    );
    const row = await trx
      .updateTable('problems')
      .set({ still_broken_count: broken, updated_at: now })
      .where('id', '=', problemId)
      .returning(['status'])
      .executeTakeFirst();
    if (!row || broken < needed || (row.status !== 'fixed' && row.status !== 'verified')) continue;
    await backToFixing(
      trx,
      ws,
      problemId,
      row.status,
      { why: 'customers report it is still broken', customers: broken },
      { now, eventAt: item.at },
      { tell: 'Customers tell us it is still not working, so the team is working on it again.' },
    );
  }
}
