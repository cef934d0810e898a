import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { OpenProblemRow } from './apply-decisions.js';
import { DEFAULT_DETECTOR_CONFIG } from './detector/config.js';
import type { Decision, ProblemKind } from './detector/detector.js';
import { shareMix } from './detector/topic-mix.js';
import { resolveOwner } from './owner.js';
import type { ProblemSettings } from './problem.settings.js';
import { problemEvent, problemTitle, type Signature, signatureOf } from './problem.store.js';

/**
 * The detector's decisions that reshape a problem it raised (`apply-decisions.ts` applies the
 * rest): a key it takes over, the place it shows, and the topic its complainers settle on.
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

/**
 * Its complainers settled on another topic than the one it was raised under (`retopic`,
 * `ProblemBook.settledTopic`). Raised on its place's every topic, its topic mix is what they name
 * now (`shareMix` of its votes; none when the new topic has half). `batchVotes`: its votes with
 * this batch's links counted, when they voted (the detector's `ProblemBook` holds the same tally,
 * so the decision need not carry it). False when it stays as it is.
 */
export async function applyRetopic(
  trx: Kysely<DB>,
  ws: string,
  d: Extract<Decision, { type: 'retopic' }>,
  byId: Map<string, OpenProblemRow>,
  settings: ProblemSettings,
  now: number,
  batchVotes: Record<string, number> | undefined,
): Promise<boolean> {
  const row = await trx
    .selectFrom('problems')
    .select(['kind', 'topic', 'status', 'area_json', 'area_key', 'signature_json'])
    .where('id', '=', d.problemId)
    .executeTakeFirst();
  // A person who acted on the problem has read it under its topic: their word stands (and
  // once it is being fixed, whoever moved it there).
  if (!row || row.topic === d.topic || signatureOf(row).human) return false;
  if (row.status !== 'suspected' && row.status !== 'confirmed') return false;
  const area = row.area_json ? JSON.parse(row.area_json) : null;
  // (The batch's copy of the row, when it has one, holds what this batch wrote to it so far.)
  const cached = byId.get(d.problemId);
  const { mix, ...sig } = signatureOf(cached ?? row);
  const votes = Object.entries(batchVotes ?? sig.votes ?? {});
  const nextMix = (mix && shareMix(votes, d.topic)) || undefined;
  const next = nextMix ? { ...sig, mix: nextMix } : sig;
  const signature = mix ? JSON.stringify(next) : (cached ?? row).signature_json;
  if (cached) cached.signature_json = signature;
  // Nobody chose its owner (that would have marked it human): it follows the topic.
  const owner = await resolveOwner(trx, ws, settings, {
    topic: d.topic,
    area,
    areaKey: row.area_key,
    teamId: null,
  });
  const title = problemTitle(row.kind as ProblemKind, d.topic, area, sig.terms, null, nextMix);
  await trx
    .updateTable('problems')
    .set({
      topic: d.topic,
      title,
      signature_json: signature,
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
    'topic_settled',
    { from: row.topic, to: d.topic, owner: owner.name },
    { now, eventAt: d.at },
  );
  return true;
}

/**
 * A problem raised on its place's mixed complaints (`Signature.mix`) whose complainers since then
 * name its topic, half of them or more and at least `minCustomers`: it is that topic's trouble
 * now, and titled so (the demo's San Francisco outage, raised on six complaints of four topics,
 * had 30 of its 43 cases' votes for outage). Drops the mix from `sig` and gives the new title;
 * null when it stays as it is (a person's word on it stands, as for its topic).
 */
export async function unmixedTitle(
  trx: Kysely<DB>,
  id: string,
  sig: Signature,
  minCustomers = DEFAULT_DETECTOR_CONFIG.minCustomers,
): Promise<string | null> {
  const votes = sig.votes ?? {};
  const row = await trx
    .selectFrom('problems')
    .select(['kind', 'topic', 'status', 'area_json'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row?.topic || sig.human) return null;
  if (row.status !== 'suspected' && row.status !== 'confirmed') return null;
  const mine = votes[row.topic] ?? 0;
  const all = Object.values(votes).reduce((a, n) => a + n, 0);
  // Its own topic's half, not any topic's: another one leading by less than `retopic`'s margin
  // leaves it mixed.
  if (mine < minCustomers || 2 * mine < all) return null;
  delete sig.mix;
  const area = row.area_json ? JSON.parse(row.area_json) : null;
  return problemTitle(row.kind as ProblemKind, row.topic, area, sig.terms);
}
