import { Type } from '@sinclair/typebox';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';

const CaseGroup = Type.Object({
  groupKey: Nullable(Type.String({ description: 'the surge key routing gave, e.g. outage:94110' })),
  problemId: Nullable(
    Type.String({
      description:
        'the problem holding these cases now: their live link to a problem not closed, else their newest live link',
    }),
  ),
  openCases: Type.Integer(),
  since: Type.String({ description: 'when the oldest of them was opened' }),
});

/**
 * `GET /api/v1/case-groups`: open cases grouped by surge key and by the problem that holds them.
 * The problem is read from the live links (`problem_links`, unlinked ones gone); it used to be
 * read from `cases.problem_id`, which nothing wrote, so every group said `problemId: null`.
 * A case may keep live links to closed problems (their history) beside the one open problem that
 * holds it (a second open one is refused), so each case counts once, under the open one.
 */
export function caseGroupRoutes(app: Http, deps: { db: Kysely<DB> }) {
  const { db } = deps;
  app.get(
    '/api/v1/case-groups',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open cases grouped by surge key (and problem), largest first',
        querystring: Type.Object({ queue: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ items: Type.Array(CaseGroup) }) },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      // One correlated lookup per open case, on the problem_links(case_id) index.
      const open = db
        .selectFrom('cases')
        .select((eb) => [
          'cases.group_key',
          'cases.opened_at',
          eb
            .selectFrom('problem_links')
            .innerJoin('problems', 'problems.id', 'problem_links.problem_id')
            .select('problem_links.problem_id')
            .whereRef('problem_links.case_id', '=', 'cases.id')
            .where('problem_links.unlinked_at', 'is', null)
            .orderBy(sql`CASE WHEN problems.status = 'closed' THEN 1 ELSE 0 END`)
            .orderBy('problem_links.linked_at', 'desc')
            .orderBy('problem_links.problem_id', 'desc')
            .limit(1)
            .as('problem_id'),
        ])
        .where('cases.workspace_id', '=', ws)
        .where('cases.status', 'in', ['new', 'open', 'pending'])
        .$if(!!req.query.queue, (q) => q.where('cases.queue_id', '=', req.query.queue!));
      const rows = await db
        .selectFrom(open.as('c'))
        .select([
          'c.group_key',
          'c.problem_id',
          (eb) => eb.fn.countAll<number>().as('n'),
          (eb) => eb.fn.min('c.opened_at').as('since'),
        ])
        .where((eb) =>
          eb.or([eb('c.group_key', 'is not', null), eb('c.problem_id', 'is not', null)]),
        )
        .groupBy(['c.group_key', 'c.problem_id'])
        .orderBy('n', 'desc')
        .orderBy('since')
        .limit(100)
        .execute();
      return {
        items: rows.map((r) => ({
          groupKey: r.group_key,
          problemId: r.problem_id,
          openCases: Number(r.n),
          since: new Date(Number(r.since)).toISOString(),
        })),
      };
    },
  );
}
