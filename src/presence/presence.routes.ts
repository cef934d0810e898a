import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { loadCase } from '../cases/case.store.js';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import type { LiveBus } from '../platform/realtime/bus.js';

/** A heartbeat keeps an agent's presence this long; clients send one every ~10 s. */
export const PRESENCE_TTL_MS = 30_000;

/**
 * Collision detection: who is viewing and who is typing on a case. Stored (not in memory) so
 * every node of a PostgreSQL deployment sees the same; entries expire without a heartbeat.
 */
export function presenceRoutes(
  app: Http,
  deps: { db: Kysely<DB>; bus: LiveBus; clock: () => number },
) {
  const { db, clock } = deps;
  const list = async (workspaceId: string, caseId: string, now: number) =>
    (
      await db
        .selectFrom('presence')
        .select(['user_id', 'user_name', 'state', 'expires_at'])
        .where('workspace_id', '=', workspaceId)
        .where('case_id', '=', caseId)
        .where('expires_at', '>', now)
        .orderBy('user_name')
        .execute()
    ).map((p) => ({ userId: p.user_id, name: p.user_name, state: p.state }));
  /** 404 for a case that does not exist or is another workspace's, as every case route answers. */
  const assertCase = async (workspaceId: string, caseId: string) => {
    await loadCase(db, workspaceId, caseId);
  };

  app.get(
    '/api/v1/cases/:id/presence',
    {
      schema: {
        tags: ['cases'],
        summary: 'Who is viewing or typing on the case now',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (req) => {
      await assertCase(req.actor.workspaceId, req.params.id);
      return { items: await list(req.actor.workspaceId, req.params.id, clock()) };
    },
  );

  app.put(
    '/api/v1/cases/:id/presence',
    {
      schema: {
        tags: ['cases'],
        summary: 'Heartbeat: I am viewing or typing (or `left`)',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          {
            state: Type.Union([
              Type.Literal('viewing'),
              Type.Literal('typing'),
              Type.Literal('left'),
            ]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const now = clock();
      const { id: userId, name, workspaceId } = req.actor;
      // Presence on a case that does not exist (or is another workspace's) is not stored.
      await assertCase(workspaceId, req.params.id);
      if (req.body.state === 'left') {
        await db
          .deleteFrom('presence')
          .where('case_id', '=', req.params.id)
          .where('user_id', '=', userId)
          .execute();
      } else {
        const row = {
          case_id: req.params.id,
          user_id: userId,
          workspace_id: workspaceId,
          user_name: name,
          state: req.body.state,
          expires_at: now + PRESENCE_TTL_MS,
        };
        await db
          .insertInto('presence')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['case_id', 'user_id'])
              .doUpdateSet({ state: row.state, expires_at: row.expires_at, user_name: name }),
          )
          .execute();
      }
      const items = await list(workspaceId, req.params.id, now);
      deps.bus.publish({
        type: 'case.presence',
        workspaceId,
        data: { caseId: req.params.id, items },
      });
      return { items };
    },
  );
}
