import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { OpenProblemRow } from './apply-decisions.js';
import type { Decision, ProblemKind } from './detector/detector.js';
import { resolveOwner } from './owner.js';
import type { ProblemSettings } from './problem.settings.js';
import { problemEvent, problemTitle, signatureOf } from './problem.store.js';

/**
 * The detector's decisions that reshape a problem it raised (`apply-decisions.ts` applies the
 * rest): a key it takes over, and the place it shows.
 */

/** It takes over a key (`own`); the problem that held it until now gives it up (`from`). */
export async function applyOwn(
  trx: Kysely<DB>,
  ws: string,
  d: Extract<Decision, { type: 'own' }>,
  byId: Map<string, OpenProblemRow>,
  now: number,
): Promise<void> {
  const p = byId.get(d.problemId);
  if (!p) return;
  const sig = signatureOf(p);
  if (!sig.keys.includes(d.key)) sig.keys.push(d.key);
  await writeSignature(trx, p, sig, now);
  await problemEvent(
    trx,
    ws,
    d.problemId,
    'merged_detection',
    { key: d.key },
    { now, eventAt: d.at },
  );
  const from = d.from ? byId.get(d.from) : undefined;
  if (!from) return;
  // One owner per key (`split-topic.ts`: a second trouble takes back the words it brought).
  const was = signatureOf(from);
  was.keys = was.keys.filter((k) => k !== d.key);
  await writeSignature(trx, from, was, now);
}

/** Stores a problem's signature, and keeps the batch's copy of its row in step. */
async function writeSignature(
  trx: Kysely<DB>,
  row: OpenProblemRow,
  sig: ReturnType<typeof signatureOf>,
  now: number,
) {
  row.signature_json = JSON.stringify(sig);
  await trx
    .updateTable('problems')
    .set({ signature_json: row.signature_json, updated_at: now })
    .where('id', '=', row.id)
    .execute();
}

/**
 * It shows another place (`refine`: a narrower one inside its own, `settle-place.ts`; a wider
 * one, `text-place.ts`), and routing by area may name another owner while no person chose one.
 * False when the problem is not among the open ones.
 */
export async function applyRefine(
  trx: Kysely<DB>,
  ws: string,
  d: Extract<Decision, { type: 'refine' }>,
  byId: Map<string, OpenProblemRow>,
  settings: ProblemSettings,
  now: number,
): Promise<boolean> {
  const p = byId.get(d.problemId);
  if (!p) return false;
  const sig = signatureOf(p);
  if (!sig.keys.includes(d.key)) sig.keys.push(d.key);
  p.signature_json = JSON.stringify(sig);
  const row = await trx
    .selectFrom('problems')
    .select(['kind', 'topic', 'status', 'owner', 'owner_team_id'])
    .where('id', '=', d.problemId)
    .executeTakeFirstOrThrow();
  // Nobody chose its owner (that would have marked it human): routing by area may now
  // name another team, while it is still the detector's to shape.
  const owner =
    !sig.human && (row.status === 'suspected' || row.status === 'confirmed')
      ? await resolveOwner(trx, ws, settings, {
          topic: row.topic,
          area: d.area,
          areaKey: d.areaKey,
          teamId: null,
        })
      : { name: row.owner, teamId: row.owner_team_id };
  await trx
    .updateTable('problems')
    .set({
      // (Null, not the text 'null', for a country-wide place whose country is not known.)
      area_json: d.area ? JSON.stringify(d.area) : null,
      area_key: d.areaKey,
      signature_json: p.signature_json,
      // (A text cluster's title names its words.)
      title: problemTitle(row.kind as ProblemKind, row.topic, d.area, sig.terms, null, sig.mix),
      owner: owner.name,
      owner_team_id: owner.teamId,
      updated_at: now,
    })
    .where('id', '=', d.problemId)
    .execute();
  await problemEvent(
    trx,
    ws,
    d.problemId,
    'area_refined',
    { area: d.area },
    { now, eventAt: d.at },
  );
  return true;
}
