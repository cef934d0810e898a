import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { OpenProblemRow } from './apply-decisions.js';
import { ALL } from './detector/areas.js';
import { DEFAULT_DETECTOR_CONFIG } from './detector/config.js';
import type { Baseline, Decision } from './detector/detector.js';
import { mergeLocked } from './problem.merge.js';
import { loadForUpdate } from './problem.service.js';
import { signatureOf } from './problem.store.js';
import { reopenFixedThere } from './reopen.js';

type Refine = Extract<Decision, { type: 'refine' }>;

/**
 * A trouble coming back is often raised country-wide first (its topic's country key, busy with
 * everyday complaints, passes the persistence test before its own quiet place does) and narrowed
 * to its place minutes later. Raised at that place, it would have reopened the problem fixed
 * there (`reopenReturning`); narrowed there while young, it does so now: that problem goes back
 * to `fixing` and the new one is merged into it, its cases with it. QA: an 80202 problem made by
 * hand and closed came back raised for the country, narrowed to Colorado, as a second problem.
 * Returns the problem it went into (its row as a batch knows it), or null.
 */
export async function foldIntoReturning(
  trx: Kysely<DB>,
  ws: string,
  d: Refine,
  now: number,
  /** Called before the merge: the batch stores what it holds for the new problem (its links). */
  beforeMerge: () => Promise<void>,
): Promise<OpenProblemRow | null> {
  if (d.areaKey === null || d.areaKey === ALL) return null;
  const p = await trx
    .selectFrom('problems')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('id', '=', d.problemId)
    .executeTakeFirst();
  if (p?.kind !== 'area' || p.topic === null || p.merged_into !== null) return null;
  // Still the detector's own and new: a person's problem, or one long worked on, is not folded.
  if (p.status !== 'suspected' && p.status !== 'confirmed') return null;
  if (signatureOf(p).human) return null;
  if (d.at - Number(p.detected_at) > DEFAULT_DETECTOR_CONFIG.mergeWindowMs) return null;
  const baseline = (p.baseline_json ? JSON.parse(p.baseline_json) : null) as Baseline;
  const back = await reopenFixedThere(
    trx,
    ws,
    { topic: p.topic, areaKey: d.areaKey, area: d.area, at: d.at, keys: [d.key], baseline },
    now,
  );
  if (!back) return null;
  await beforeMerge();
  // Both rows locked in id order, as a person's merge does.
  const [first, second] = [p.id, back.id].sort();
  const rows = new Map([
    [first, await loadForUpdate(trx, ws, first)],
    [second, await loadForUpdate(trx, ws, second)],
  ]);
  const actor = { type: 'system', id: null, workspaceId: ws };
  await mergeLocked(trx, actor, rows.get(p.id)!, rows.get(back.id)!, now, d.at);
  // As the batch knows its open problems (its topic and place for acknowledgements), with the
  // keys the merge took into its signature.
  return trx.selectFrom('problems').selectAll().where('id', '=', back.id).executeTakeFirstOrThrow();
}
