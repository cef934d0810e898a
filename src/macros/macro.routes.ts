import { Type } from '@sinclair/typebox';
import type { CareRouteDeps } from '../cases/care.routes.js';
import { toCaseSummary } from '../cases/case.dto.js';
import { assigneeBefore } from '../cases/case.queries.js';
import { sendersCheck } from '../cases/case.reply.js';
import {
  applyMacro,
  checkMacroActions,
  checkTemplate,
  MACRO_MAX_ACTIONS,
  renderCanned,
} from '../macros/macro.service.js';
import { Created, Json, ReplyRefused, VersionConflict } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import { Nullable } from '../platform/nullable.js';
import { macroManageRoutes } from './macro.manage.routes.js';

/**
 * Size limits, as one reply or note through the case routes has (20,000 characters). A macro's
 * actions are few by nature; without a cap one request wrote thousands of history entries, and a
 * case's answer grew to megabytes.
 */
const TEXT_MAX = 20_000;
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Ref = Type.String({ minLength: 1, maxLength: 64 });

/** Canned replies with variables and macros (named lists of actions). */
export function macroRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;
  const changed = (workspaceId: string, caseId: string, change: string) =>
    deps.bus.publish({ type: 'case.updated', workspaceId, data: { caseId, change } });
  macroManageRoutes(app, deps);

  app.post(
    '/api/v1/canned-replies',
    {
      schema: {
        response: { 201: Created() },
        tags: ['macros'],
        summary: 'A canned reply; variables {{customer.name}}, {{agent.name}}, {{case.number}}…',
        body: Type.Object(
          {
            name: Name,
            shortcut: Type.Optional(Type.String({ maxLength: 100 })),
            body: Type.String({ minLength: 1, maxLength: TEXT_MAX }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      checkTemplate(req.body.body);
      const id = newId();
      await db
        .insertInto('canned_replies')
        .values({
          id,
          workspace_id: req.actor.workspaceId,
          name: req.body.name,
          shortcut: req.body.shortcut ?? null,
          body: req.body.body,
          created_at: clock(),
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/api/v1/canned-replies',
    { schema: { tags: ['macros'], summary: 'Canned replies' } },
    async (req) => ({
      items: (
        await db
          .selectFrom('canned_replies')
          .selectAll()
          .where('workspace_id', '=', req.actor.workspaceId)
          .orderBy('name')
          .execute()
      ).map((c) => ({ id: c.id, name: c.name, shortcut: c.shortcut, body: c.body })),
    }),
  );

  app.get(
    '/api/v1/cases/:id/canned-replies/:cannedId',
    {
      schema: {
        tags: ['macros'],
        summary:
          "A canned reply rendered for the case, for a reply of `visibility` (default: the case's); in a public one the customer's name and subject carry no mention or link",
        params: Type.Object({ id: Type.String(), cannedId: Type.String() }),
        querystring: Type.Object({
          visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
        }),
      },
    },
    async (req) =>
      renderCanned(db, req.actor, req.params.cannedId, req.params.id, req.query.visibility),
  );

  const MacroAction = Type.Union([
    Type.Object({
      type: Type.Literal('reply'),
      text: Type.Optional(Type.String({ maxLength: TEXT_MAX })),
      cannedReplyId: Type.Optional(Ref),
      visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
    }),
    Type.Object({
      type: Type.Literal('note'),
      body: Type.String({ minLength: 1, maxLength: TEXT_MAX }),
    }),
    Type.Object({
      type: Type.Literal('status'),
      status: Type.Union(['open', 'pending', 'resolved', 'closed'].map((s) => Type.Literal(s))),
      statusReason: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('internal')])),
      reason: Type.Optional(Type.String({ maxLength: 2000 })),
    }),
    Type.Object({
      type: Type.Literal('priority'),
      priority: Type.Union(['low', 'normal', 'high', 'urgent'].map((s) => Type.Literal(s))),
    }),
    Type.Object({ type: Type.Literal('assign'), userId: Nullable(Ref) }),
  ]);

  app.post(
    '/api/v1/macros',
    {
      schema: {
        response: { 201: Created() },
        tags: ['macros'],
        summary: 'A macro: a named list of actions (reply, note, status, priority, assign)',
        body: Type.Object(
          {
            name: Name,
            actions: Type.Array(MacroAction, { minItems: 1, maxItems: MACRO_MAX_ACTIONS }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await checkMacroActions(db, req.actor.workspaceId, req.body.actions);
      const id = newId();
      await db
        .insertInto('macros')
        .values({
          id,
          workspace_id: req.actor.workspaceId,
          name: req.body.name,
          actions_json: JSON.stringify(req.body.actions),
          created_at: clock(),
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/v1/cases/:id/macros/:macroId',
    {
      // Applying needs nothing from the body (`expectedVersion` is optional) and clients send
      // none (curl -X POST, a button's bare POST); what it does is chosen by the macro in the
      // path, so an empty body runs exactly what was asked (optional-body.ts).
      config: { optionalBody: true },
      schema: {
        response: { 200: Json(), 409: VersionConflict, 422: ReplyRefused },
        tags: ['macros'],
        summary: 'Apply a macro to the case (all actions or none)',
        params: Type.Object({ id: Type.String(), macroId: Type.String() }),
        body: Type.Object(
          { expectedVersion: Type.Optional(Type.Integer()) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const now = clock();
      // Whose room a status or assign action frees (read before: the macro moves it).
      const before = await assigneeBefore(db, req.actor.workspaceId, req.params.id);
      const c = await applyMacro(
        db,
        req.actor,
        req.params.macroId,
        req.params.id,
        now,
        { publicUrl: deps.publicUrl },
        req.body.expectedVersion,
        sendersCheck(deps.senders, now),
      );
      deps.onOutbox();
      changed(req.actor.workspaceId, req.params.id, 'macro');
      deps.onAssignable?.({ queueIds: [c.queue_id], userIds: [before] });
      return toCaseSummary(c);
    },
  );
}
