import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { IdParams, Refusal, Refused, VersionConflict } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import { TOPICS } from '../triage/types.js';
import { ownerTeamOnly } from './owner-team.js';
import { cleanWords } from './problem.checks.js';
import { iso, ManualAreaT, ProblemDto, StatusT, toDtos } from './problem.dto.js';
import { createProblemFromCase, setLinks, splitProblem } from './problem.links.js';
import { listProblems } from './problem.list.js';
import { mergeProblems } from './problem.merge.js';
import { changeProblem, type ProblemActor } from './problem.service.js';
import { loadProblemSettings, saveProblemSettings } from './problem.settings.js';

const TopicT = Type.String({
  enum: [...TOPICS],
  description: 'a triage topic; null for a text cluster',
});

export interface ProblemRouteDeps {
  db: Kysely<DB>;
  clock: () => number;
  onOutbox: () => void;
}

const ExpectedVersionT = Type.Optional(
  Type.Integer({ description: "refuse (409) if the problem's version is no longer this" }),
);
const Writers = { roles: ['admin', 'supervisor', 'agent'] as ('admin' | 'supervisor' | 'agent')[] };

/** `/api/v1/problems…`: list, read, change status / post updates, link, merge, split, settings. */
export function problemRoutes(app: Http, deps: ProblemRouteDeps) {
  const { db, clock } = deps;
  const actorOf = (req: {
    actor: { type: string; id: string; workspaceId: string };
  }): ProblemActor => ({
    type: req.actor.type,
    id: req.actor.id,
    workspaceId: req.actor.workspaceId,
  });
  const one = async (ws: string, id: string) => {
    const p = await db
      .selectFrom('problems')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!p) throw notFound('problem');
    return (await toDtos(db, [p]))[0];
  };

  app.get(
    '/api/v1/problems',
    {
      schema: {
        tags: ['problems'],
        summary: 'List problems, newest first (by creation)',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ description: 'comma-separated statuses' })),
          topic: Type.Optional(
            Type.String({
              description: 'a triage topic, or none for problems without one (text clusters)',
            }),
          ),
          area: Type.Optional(
            Type.String({
              description: 'postal code, city, region or country; matches nested areas',
            }),
          ),
          owner: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(ProblemDto), nextCursor: Nullable(Type.String()) }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const { rows: page, nextCursor } = await listProblems(db, req.actor.workspaceId, {
        ...q,
        limit: q.limit ?? 50,
      });
      return { items: await toDtos(db, page), nextCursor };
    },
  );

  app.get(
    '/api/v1/problems/:id',
    {
      schema: {
        tags: ['problems'],
        summary: 'One problem with linked cases, history, updates and per-customer delivery',
        params: IdParams,
        response: {
          200: Type.Intersect([
            ProblemDto,
            Type.Object({
              history: Type.Array(
                Type.Object({
                  type: Type.String(),
                  at: Type.String(),
                  actor: Nullable(Type.String()),
                  data: Type.Unknown(),
                }),
              ),
              updates: Type.Array(
                Type.Object({
                  id: Type.String(),
                  status: Type.String(),
                  body: Type.String(),
                  at: Type.String(),
                  silent: Type.Boolean({ description: 'posted without messaging customers' }),
                }),
              ),
              notifications: Type.Record(Type.String(), Type.Integer(), {
                description: 'count by delivery status',
              }),
            }),
          ]),
        },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const dto = await one(ws, req.params.id);
      const history = await db
        .selectFrom('problem_events')
        .selectAll()
        .where('problem_id', '=', dto.id)
        .orderBy('id')
        .execute();
      const updates = await db
        .selectFrom('problem_updates')
        .selectAll()
        .where('problem_id', '=', dto.id)
        .orderBy('id')
        .execute();
      const counts = await db
        .selectFrom('problem_notifications')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('problem_id', '=', dto.id)
        .groupBy('status')
        .execute();
      return {
        ...dto,
        history: history.map((h) => ({
          type: h.type,
          at: iso(h.event_at)!,
          actor: h.actor_id,
          data: JSON.parse(h.data_json),
        })),
        updates: updates.map((u) => ({
          id: u.id,
          status: u.status,
          body: u.body,
          at: iso(u.created_at)!,
          silent: Number(u.silent) === 1,
        })),
        notifications: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
      };
    },
  );

  app.post(
    '/api/v1/problems/:id/status',
    {
      config: Writers,
      schema: {
        tags: ['problems'],
        summary: 'Change status and/or post a status update to every linked customer',
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Optional(StatusT),
            body: Type.Optional(Type.String({ maxLength: 2000 })),
            etaAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
            owner: Type.Optional(
              Nullable(Type.String({ maxLength: 200, description: 'an existing team' })),
            ),
            externalRefs: Type.Optional(
              Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 500 }), {
                maxProperties: 20,
              }),
            ),
            silent: Type.Optional(
              Type.Boolean({ description: 'change without messaging customers' }),
            ),
            expectedVersion: ExpectedVersionT,
          },
          { additionalProperties: false },
        ),
        response: {
          409: VersionConflict,
          422: Refused(
            'a status change the lifecycle does not allow, or a problem merged into another',
          ),
          200: Type.Object({ problem: ProblemDto, notified: Type.Integer() }),
        },
      },
    },
    async (req) => {
      const b = req.body;
      await ownerTeamOnly(db, req.actor, req.params.id);
      const res = await changeProblem(
        db,
        actorOf(req),
        req.params.id,
        {
          ...b,
          body: cleanWords(b.body),
          etaAt: b.etaAt === undefined ? undefined : b.etaAt === null ? null : Date.parse(b.etaAt),
        },
        clock(),
      );
      if (res.notified > 0) deps.onOutbox();
      return { problem: await one(req.actor.workspaceId, req.params.id), notified: res.notified };
    },
  );

  app.post(
    '/api/v1/problems',
    {
      config: Writers,
      schema: {
        tags: ['problems'],
        summary: 'Create a problem by hand from a case',
        body: Type.Object(
          {
            caseId: Type.String({ minLength: 1, maxLength: 64 }),
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            topic: Type.Optional(Nullable(TopicT)),
            area: Type.Optional(Nullable(ManualAreaT)),
            owner: Type.Optional(
              Nullable(Type.String({ maxLength: 200, description: 'an existing team' })),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          409: Refusal('conflict: the case is already in an open problem (`details.problemId`)'),
          422: Refused("the case's customer was erased"),
          201: ProblemDto,
        },
      },
    },
    async (req, reply) => {
      const p = await createProblemFromCase(db, actorOf(req), req.body, clock());
      reply.code(201);
      return one(req.actor.workspaceId, p.id);
    },
  );

  app.post(
    '/api/v1/problems/:id/links',
    {
      config: Writers,
      schema: {
        tags: ['problems'],
        summary: 'Link or unlink cases (at least one id; a case held already is no change)',
        params: IdParams,
        body: Type.Object(
          {
            link: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
            unlink: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
            expectedVersion: ExpectedVersionT,
          },
          { additionalProperties: false },
        ),
        response: {
          409: Refusal(
            'conflict: a case is already in another open problem (`details.problemId`), or the problem changed since (`expectedVersion`)',
          ),
          422: Refused(
            "a linked case's customer was erased (`details.erased`), or the problem was merged into another",
          ),
          200: ProblemDto,
        },
      },
    },
    async (req) => {
      await ownerTeamOnly(db, req.actor, req.params.id);
      await setLinks(db, actorOf(req), req.params.id, req.body, clock());
      // Customers of cases linked to a fixed problem may have been queued a notice.
      deps.onOutbox();
      return one(req.actor.workspaceId, req.params.id);
    },
  );

  app.post(
    '/api/v1/problems/:id/merge',
    {
      config: Writers,
      schema: {
        tags: ['problems'],
        summary: 'Merge this problem into another (one root cause, one problem)',
        params: IdParams,
        body: Type.Object(
          {
            intoId: Type.String({ minLength: 1, maxLength: 64 }),
            expectedVersion: ExpectedVersionT,
          },
          { additionalProperties: false },
        ),
        response: {
          409: VersionConflict,
          422: Refused('the problem was already merged or is closed, or the target is closed'),
          200: ProblemDto,
        },
      },
    },
    async (req) => {
      // Merging closes one problem and reshapes the other: both teams' call.
      await ownerTeamOnly(db, req.actor, req.params.id);
      await ownerTeamOnly(db, req.actor, req.body.intoId);
      const { intoId, expectedVersion } = req.body;
      const p = await mergeProblems(
        db,
        actorOf(req),
        req.params.id,
        intoId,
        clock(),
        expectedVersion,
      );
      deps.onOutbox();
      return one(req.actor.workspaceId, p.id);
    },
  );

  app.post(
    '/api/v1/problems/:id/split',
    {
      config: Writers,
      schema: {
        tags: ['problems'],
        summary: 'Split cases off into a new problem (all of them linked to this one)',
        params: IdParams,
        body: Type.Object(
          {
            caseIds: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 500 }),
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            expectedVersion: ExpectedVersionT,
          },
          { additionalProperties: false },
        ),
        response: {
          409: VersionConflict,
          422: Refused('the problem was merged into another'),
          201: ProblemDto,
        },
      },
    },
    async (req, reply) => {
      await ownerTeamOnly(db, req.actor, req.params.id);
      const p = await splitProblem(
        db,
        actorOf(req),
        req.params.id,
        req.body.caseIds,
        req.body.title,
        clock(),
        req.body.expectedVersion,
      );
      reply.code(201);
      return one(req.actor.workspaceId, p.id);
    },
  );

  const SettingsT = Type.Object({
    autoAcknowledge: Type.Boolean(),
    acknowledgementTemplate: Type.String({ minLength: 1, maxLength: 1000 }),
    updateTemplate: Type.String({ minLength: 1, maxLength: 1000 }),
    fixedTemplate: Type.String({ minLength: 1, maxLength: 1000 }),
    quietPeriodMinutes: Type.Integer({ minimum: 0, maximum: 43_200 }),
    // At most 10 each: a fix must still reach every customer within 15 minutes.
    noticeHoldMinutes: Type.Integer({ minimum: 0, maximum: 10 }),
    noticeGapMinutes: Type.Integer({ minimum: 0, maximum: 10 }),
    reopenAfterStillBroken: Type.Integer({ minimum: 1, maximum: 1000 }),
    reopenStillBrokenShare: Type.Number({ minimum: 0, maximum: 1 }),
    stillBrokenGraceMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    ownerRules: Type.Array(
      Type.Object(
        {
          topic: Type.Optional(TopicT),
          area: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description:
                'a place, as the list\'s area filter reads one: "78701", "Austin, TX", "TX", "US"; problems there or inside it',
            }),
          ),
          areaPrefix: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              description: "deprecated: area's old name (a rule stored with an old area key)",
            }),
          ),
          team: Type.String({ minLength: 1, maxLength: 200, description: 'an existing team' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
  });
  app.get(
    '/api/v1/problem-settings',
    {
      schema: {
        tags: ['problems'],
        summary: 'Problem settings (templates, auto-acknowledge, quiet period, owners)',
        response: { 200: SettingsT },
      },
    },
    async (req) => loadProblemSettings(db, req.actor.workspaceId),
  );
  app.patch(
    '/api/v1/problem-settings',
    {
      config: { roles: ['admin' as const] },
      schema: {
        tags: ['problems'],
        summary: 'Change problem settings (admin)',
        body: Type.Partial(SettingsT, { additionalProperties: false }),
        response: { 200: SettingsT },
      },
    },
    async (req) => saveProblemSettings(db, req.actor.workspaceId, req.body, clock()),
  );
}
