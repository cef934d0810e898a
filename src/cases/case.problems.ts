import { type Static, Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/**
 * Which problems hold a case, as the case view, the case list and the customer's timeline show
 * them. The links are `problem_links` (written by the problems module: the detector, a person's
 * link, a split or merge); a link someone removed (`unlinked_at` set) is gone. It is read here,
 * in the cases folder, because src/problems already depends on src/cases and not the other way.
 *
 * There used to be a `cases.problem_id` column meant for this that nothing ever wrote, so every
 * reader saw no problem at all (migration 0024 drops it).
 */
export const CaseProblem = Type.Object({
  id: Type.String(),
  status: Type.String({
    description: 'suspected, confirmed, fixing, fixed, verified or closed',
  }),
  title: Type.String(),
});
export type CaseProblem = Static<typeof CaseProblem>;

export const CaseProblems = Type.Array(CaseProblem, {
  description:
    'the problems the case is linked to now, most recently linked first (a closed problem keeps its links as history)',
});

/** Cases per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 1000;

/**
 * The problems each case is linked to, most recently linked first: one query for a whole page of
 * cases (the inbox lists up to 200 a page over a million cases; a query per row would be 200),
 * served by the `problem_links(case_id)` index. Cases without a link are absent from the map.
 */
export async function problemsOfCases(
  db: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
): Promise<Map<string, CaseProblem[]>> {
  const out = new Map<string, CaseProblem[]>();
  const ids = [...new Set(caseIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('problem_links')
      .innerJoin('problems', 'problems.id', 'problem_links.problem_id')
      .select(['problem_links.case_id', 'problems.id', 'problems.status', 'problems.title'])
      .where('problem_links.workspace_id', '=', workspaceId)
      .where('problem_links.case_id', 'in', ids.slice(i, i + CHUNK))
      .where('problem_links.unlinked_at', 'is', null)
      .orderBy('problem_links.linked_at', 'desc')
      .orderBy('problems.id', 'desc')
      .execute();
    for (const r of rows) {
      const list = out.get(r.case_id) ?? [];
      list.push({ id: r.id, status: r.status, title: r.title });
      out.set(r.case_id, list);
    }
  }
  return out;
}

/**
 * The problems any of the customer's cases is linked to now, most recently linked first, each
 * once (`GET /api/v1/customers/:id/timeline`). Found through the customer's cases, not
 * `problem_links.customer_id`, so a case an unmerge gave back to another customer goes with it.
 */
export async function problemIdsOfCustomer(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('cases')
    .innerJoin('problem_links', 'problem_links.case_id', 'cases.id')
    .select(['problem_links.problem_id', 'problem_links.linked_at'])
    .where('cases.workspace_id', '=', workspaceId)
    .where('cases.customer_id', '=', customerId)
    .where('problem_links.unlinked_at', 'is', null)
    .orderBy('problem_links.linked_at', 'desc')
    .orderBy('problem_links.problem_id', 'desc')
    .execute();
  return [...new Set(rows.map((r) => r.problem_id))];
}
