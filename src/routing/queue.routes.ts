import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import { Created } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { RoutingRouteDeps } from './routing.routes.js';
import { admin, assertTeam, Id, Mode } from './routing.schema.js';

/** Queues: list, create, change mode and members. */
export function queueRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;

  app.get(
    '/api/v1/queues',
    { schema: { tags: ['routing'], summary: 'Queues with their assignment mode and members' } },
    async (req) => {
      const ws = req.actor.workspaceId;
      const [queues, members] = await Promise.all([
        db
          .selectFrom('queues')
          .selectAll()
          .where('workspace_id', '=', ws)
          .orderBy('name')
          .execute(),
        db.selectFrom('queue_members').selectAll().where('workspace_id', '=', ws).execute(),
      ]);
      return {
        items: queues.map((q) => ({
          id: q.id,
          name: q.name,
          teamId: q.team_id,
          isDefault: q.is_default === 1,
          assignmentMode: q.assignment_mode,
          members: members.filter((m) => m.queue_id === q.id).map((m) => m.user_id),
        })),
      };
    },
  );

  app.post(
    '/api/v1/queues',
    {
      config: admin,
      schema: {
        response: { 201: Created() },
        tags: ['routing'],
        summary: 'Create a queue',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            teamId: Type.Optional(Type.String()),
            assignmentMode: Type.Optional(Mode),
            members: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = newId();
      const ws = req.actor.workspaceId;
      if (req.body.teamId) await assertTeam(db, ws, req.body.teamId);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('queues')
          .values({
            id,
            workspace_id: ws,
            name: req.body.name,
            team_id: req.body.teamId ?? null,
            is_default: 0,
            created_at: clock(),
            assignment_mode: req.body.assignmentMode ?? 'manual',
          })
          .execute();
        await setMembers(trx, ws, id, req.body.members ?? []);
      });
      deps.onAssignable?.({ queueIds: [id] });
      return reply.status(201).send({ id });
    },
  );

  app.patch(
    '/api/v1/queues/:id',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Change a queue’s name, assignment mode or members',
        params: Id,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            assignmentMode: Type.Optional(Mode),
            members: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      await updateQueue(db, req.actor.workspaceId, req.params.id, req.body);
      // New members, or a mode made automatic: its waiting cases may be taken now.
      deps.onAssignable?.({ queueIds: [req.params.id] });
      return { ok: true };
    },
  );
}

/**
 * Changes a queue's name, assignment mode or members (`PATCH /api/v1/queues/:id`, and the demo's
 * staff). The caller asks for assignment afterwards: new members or an automatic mode may take
 * its waiting cases.
 */
export async function updateQueue(
  db: Kysely<DB>,
  ws: string,
  id: string,
  patch: { name?: string; assignmentMode?: string; members?: string[] },
) {
  await db.transaction().execute(async (trx) => {
    const q = await trx
      .selectFrom('queues')
      .select('id')
      .where('workspace_id', '=', ws)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!q) throw notFound('queue');
    const set: Record<string, unknown> = {};
    if (patch.name) set.name = patch.name;
    if (patch.assignmentMode) set.assignment_mode = patch.assignmentMode;
    if (Object.keys(set).length) {
      await trx.updateTable('queues').set(set).where('id', '=', q.id).execute();
    }
    if (patch.members) await setMembers(trx, ws, q.id, patch.members);
  });
}

async function setMembers(trx: Kysely<DB>, ws: string, queueId: string, members: string[]) {
  await trx.deleteFrom('queue_members').where('queue_id', '=', queueId).execute();
  if (members.length === 0) return;
  const users = await trx
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', 'in', members)
    .execute();
  if (users.length !== new Set(members).size) {
    throw new AppError('bad_request', 'members must be users of this workspace');
  }
  await trx
    .insertInto('queue_members')
    .values(users.map((u) => ({ queue_id: queueId, user_id: u.id, workspace_id: ws })))
    .execute();
}
