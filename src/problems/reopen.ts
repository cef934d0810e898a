import type { Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import type { OpenProblemRow } from './apply-decisions.js';
import { ALL, areaChain } from './detector/areas.js';
import type { Decision } from './detector/detector.js';
import { queueEscalations } from './escalate.js';
import { reopenWaitingCases } from './problem.cases.js';
import { problemEvent, signatureOf } from './problem.store.js';
import { tellFixFailed } from './reopen.notice.js';

/**
 * A fix that held this long is history: trouble of the same kind and place after it is new (a
 * problem of its own, which a person can merge if it is the same cause). A fix that fails shows
 * within hours; reopening a problem fixed a week ago for a new spike of, say, country-wide
 * billing complaints would hide a second cause behind the first one's number and history.
 */
export const REOPEN_WITHIN_MS = 2 * 86_400_000;

type Raise = Extract<Decision, { type: 'raise' }>;
type ProblemRow = Selectable<ProblemTable>;

/**
 * Complaints coming back after a fix reopen the problem they were about (the lifecycle's
 * "verified → closed; reopened if complaints return"), instead of starting a second problem for
 * the same root cause: when the detector raises an area problem whose topic and place match one
 * fixed within the last two days and since verified or closed, that problem goes back to `fixing`
 * (the lifecycle's way back from both, as for "still broken" replies: its owner team has to act
 * again) and takes the new detection's keys. Returns
 * the reopened problem's row, or null when there is none to reopen.
 */
export async function reopenReturning(
  trx: Kysely<DB>,
  ws: string,
  d: Raise,
  now: number,
): Promise<OpenProblemRow | null> {
  if (d.kind !== 'area' || d.areaKey === null || d.topic === null) return null;
  return reopenFixedThere(trx, ws, { ...d, topic: d.topic, areaKey: d.areaKey }, now);
}

/** A trouble found at a place: its topic and place, when (event time), its keys and baseline. */
type Found = Pick<Raise, 'area' | 'at' | 'keys' | 'baseline'> & { topic: string; areaKey: string };

/** The problem fixed lately for this trouble at this place, back to `fixing` (null: none). */
export async function reopenFixedThere(
  trx: Kysely<DB>,
  ws: string,
  d: Found,
  now: number,
): Promise<OpenProblemRow | null> {
  const fixedLately = await trx
    .selectFrom('problems')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('kind', 'in', ['area', 'manual'])
    .where('topic', '=', d.topic)
    .where('status', 'in', ['verified', 'closed'])
    // One merged into another lives on there: reopened, it would hold cases nothing can move.
    .where('merged_into', 'is', null)
    .where('fixed_event_at', '>=', d.at - REOPEN_WITHIN_MS)
    .orderBy('fixed_event_at', 'desc')
    .execute();
  const old = fixedLately.find((o) => sameTrouble(o, d));
  if (!old) return null;
  const sig = signatureOf(old);
  for (const k of d.keys) if (!sig.keys.includes(k)) sig.keys.push(k);
  await backToFixing(
    trx,
    ws,
    old.id,
    old.status,
    { why: 'complaints returned after the fix', baseline: d.baseline },
    { now, eventAt: d.at },
    {
      also: {
        signature_json: JSON.stringify(sig),
        last_event_at: Math.max(old.last_event_at, d.at),
      },
    },
  );
  return {
    id: old.id,
    number: old.number,
    title: old.title,
    status: 'fixing',
    eta_at: old.eta_at,
    signature_json: JSON.stringify(sig),
    kind: old.kind,
    detected_at: old.detected_at,
  };
}

/**
 * A detected problem returns at its very place. A problem a person made for a topic and place
 * (`POST /api/v1/problems` with an area) is that trouble's, as it is while open (the detector
 * opens no second problem beside it): it returns when the detection's place and its own are one
 * inside the other (complaints of "80202 again" raised for Denver), but not country-wide, which
 * would hide every other place's trouble of the topic behind one ZIP code's number.
 */
function sameTrouble(o: ProblemRow, d: Found): boolean {
  if (o.area_key === d.areaKey) return true;
  if (o.kind !== 'manual' || o.area_key === null || o.area_json === null || d.areaKey === ALL)
    return false;
  return (
    areaChain(d.area).includes(o.area_key) || areaChain(JSON.parse(o.area_json)).includes(d.areaKey)
  );
}

type Unfix = Extract<Decision, { type: 'unfix' }>;

/**
 * A fix that did not hold (new customers kept coming after it, `detector/fix-check.ts`) goes
 * back to `fixing`, unless a person moved the problem on since the detector saw it fixed. The
 * conditional update also locks the row (PostgreSQL) against a person's change in between.
 */
export async function reopenUnheld(
  trx: Kysely<DB>,
  ws: string,
  d: Unfix,
  now: number,
): Promise<boolean> {
  const still = await trx
    .updateTable('problems')
    .set({ updated_at: now })
    .where('id', '=', d.problemId)
    .where('workspace_id', '=', ws)
    .where('status', '=', 'fixed')
    .executeTakeFirst();
  if (Number(still.numUpdatedRows) === 0) return false;
  await backToFixing(
    trx,
    ws,
    d.problemId,
    'fixed',
    { why: 'new customers kept coming after the fix', before: d.before, after: d.after },
    { now, eventAt: d.at },
    {
      tell: 'Our fix did not hold: customers are still affected, and the team is working on it again.',
    },
  );
  return true;
}

/**
 * The lifecycle's way back from fixed, verified or closed when the trouble is not over (it came
 * back, or enough customers say so): the owner team has to act again. Clears the fix, records
 * why in the history, and tells the escalation targets (`problem.reopened`). `tell`: what the
 * customers told of the fix hear (`tellFixFailed`), when the fix itself failed; a trouble that
 * came back days after its fix held is news for the customers who write about it, not for all.
 */
export async function backToFixing(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  from: string,
  why: Record<string, unknown>,
  at: { now: number; eventAt: number },
  opts: { also?: Updateable<ProblemTable>; tell?: string } = {},
): Promise<void> {
  const fix = await trx
    .selectFrom('problems')
    .select('fixed_at')
    .where('id', '=', problemId)
    .executeTakeFirst();
  await trx
    .updateTable('problems')
    .set({
      ...opts.also,
      status: 'fixing',
      fixed_at: null,
      fixed_event_at: null,
      closed_at: null,
      still_broken_count: 0,
      updated_at: at.now,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', problemId)
    .execute();
  await problemEvent(trx, ws, problemId, 'status_changed', { from, to: 'fixing', ...why }, at);
  await reopenWaitingCases(trx, ws, problemId, at.now, `problem back to fixing from ${from}`);
  await queueEscalations(trx, ws, problemId, 'problem.reopened', at.now, at.eventAt);
  if (opts.tell !== undefined && fix?.fixed_at != null)
    await tellFixFailed(
      trx,
      ws,
      { problemId, fixedAt: Number(fix.fixed_at) },
      { problemId, status: 'fixing' },
      opts.tell,
      at,
    );
}
