import { Type } from '@sinclair/typebox';
import type { Kysely, Selectable } from 'kysely';
import type { MacroTable } from '../cases/care.schema.js';
import { iso } from '../cases/case.dto.js';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { idCursor, idPage, PAGE_LIMIT_DEFAULT, PageQuery } from '../platform/http/id-page.js';
import { ErrorBody, IdParams, NoContent } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';

const MacroDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  actions: Type.Array(Type.Unknown(), {
    description: 'as saved: reply, note, status, priority and assign actions, applied in order',
  }),
  createdAt: Type.String(),
});

const toMacroDto = (m: Selectable<MacroTable>) => ({
  id: m.id,
  name: m.name,
  actions: JSON.parse(m.actions_json) as unknown[],
  createdAt: iso(m.created_at)!,
});

/**
 * Reading and removing macros. Before these, a macro's id was known only from the answer that
 * created it, and a wrong or outdated macro could not be taken away.
 *
 * Every desk role may list and read them (agents apply them). Removing one takes it from the
 * whole desk, so it is for admins and supervisors, as changing routing rules and queues is; it is
 * audited as `macro.deleted` (audit.hooks.ts), as creating is as `macro.created`.
 */
export function macroManageRoutes(app: Http, deps: { db: Kysely<DB> }) {
  const { db } = deps;

  app.get(
    '/api/v1/macros',
    {
      schema: {
        tags: ['macros'],
        summary: 'Macros, oldest first, paged by cursor',
        querystring: PageQuery,
        response: {
          200: Type.Object({
            items: Type.Array(MacroDto),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const after = idCursor(req.query.cursor);
      const limit = req.query.limit ?? PAGE_LIMIT_DEFAULT;
      // Keyset on id (UUIDv7: the order they were made in), as the teams list pages.
      const rows = await db
        .selectFrom('macros')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const { page, nextCursor } = idPage(rows, limit);
      return { items: page.map(toMacroDto), nextCursor };
    },
  );

  app.get(
    '/api/v1/macros/:id',
    {
      schema: {
        tags: ['macros'],
        summary: 'One macro with its actions',
        params: IdParams,
        response: { 200: MacroDto, 404: ErrorBody },
      },
    },
    async (req) => {
      const m = await db
        .selectFrom('macros')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!m) throw notFound('macro');
      return toMacroDto(m);
    },
  );

  app.delete(
    '/api/v1/macros/:id',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['macros'],
        summary: 'Remove a macro (admins and supervisors); applying it afterwards is a 404',
        params: IdParams,
        response: { 204: NoContent, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await db
        .deleteFrom('macros')
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      // A mistyped id must not look removed.
      if (Number(r.numDeletedRows) === 0) throw notFound('macro');
      return reply.status(204).send(null);
    },
  );
}
