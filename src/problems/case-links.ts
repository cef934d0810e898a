import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { Detector } from './detector/detector.js';

/**
 * The open problems the batch's cases are linked to (noted in the detector, which links a
 * case's later complaints to its problem), and the links a person or a split removed
 * (`caseId>problemId`): the detector must not put those back. One query per thousand cases.
 */
export async function caseLinks(
  trx: Kysely<DB>,
  ws: string,
  items: { caseId: string | null }[],
  byId: Map<string, unknown>,
  det: Detector,
): Promise<{ linked: Map<string, string>; unlinked: Set<string> }> {
  const caseIds = [...new Set(items.map((i) => i.caseId).filter((c): c is string => !!c))];
  const { linked, unlinked } = await heldLinks(trx, ws, caseIds, byId);
  for (const [caseId, problemId] of linked) det.noteCaseLink(caseId, problemId);
  // A case a person took out of its problem no longer follows it there.
  for (const key of unlinked) {
    const [caseId, problemId] = key.split('>');
    if (!linked.has(caseId) && det.caseLinkOf(caseId) === problemId) det.noteCaseLink(caseId, null);
  }
  return { linked, unlinked };
}

/**
 * The open problems (of `byId`) these cases are linked to, and their links a person or a split
 * removed (`caseId>problemId`). One query per thousand cases.
 */
export async function heldLinks(
  trx: Kysely<DB>,
  ws: string,
  caseIds: readonly string[],
  byId: Map<string, unknown>,
): Promise<{ linked: Map<string, string>; unlinked: Set<string> }> {
  const linked = new Map<string, string>();
  const unlinked = new Set<string>();
  for (let i = 0; i < caseIds.length; i += 1000) {
    const ls = await trx
      .selectFrom('problem_links')
      .select(['case_id', 'problem_id', 'unlinked_at'])
      .where('workspace_id', '=', ws)
      .where('case_id', 'in', caseIds.slice(i, i + 1000))
      .execute();
    for (const l of ls) {
      if (!byId.has(l.problem_id)) continue;
      if (l.unlinked_at !== null) unlinked.add(`${l.case_id}>${l.problem_id}`);
      else linked.set(l.case_id, l.problem_id);
    }
  }
  return { linked, unlinked };
}
