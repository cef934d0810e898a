import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { answerSurvey, csatStats } from '../csat/csat.service.js';
import { applyMacro, renderCanned } from '../macros/macro.service.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import {
  createPromise,
  PROMISE_KINDS,
  promiseStats,
  settlePromise,
  toPromiseDto,
} from '../promises/promise.service.js';
import { checkTimeZone } from '../sla/calendar.js';
import { toCaseSummary } from './case.dto.js';
import { handoff } from './case.handoff.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const DateTime = Type.String({ format: 'date-time' });
const admin = { roles: ['admin' as const, 'supervisor' as const] };

export interface CareRouteDeps {
  db: Kysely<DB>;
  bus: LiveBus;
  clock: () => number;
  onOutbox: () => void;
}

/** Promises, SLA admin and clocks, CSAT, canned replies, macros, handoff, surge groups. */
export function careRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;
  const changed = (workspaceId: string, caseId: string, change: string) =>
    deps.bus.publish({ type: 'case.updated', workspaceId, data: { caseId, change } });

  // --- promises
  app.post(
    '/api/v1/cases/:id/promises',
    {
      schema: {
        tags: ['promises'],
        summary: 'Record a promise (callback, follow-up, credit) with a deadline and an owner',
        params: Id,
        body: Type.Object(
          {
            kind: Type.Union(PROMISE_KINDS.map((k) => Type.Literal(k))),
            description: Type.String({ minLength: 1, maxLength: 2000 }),
            dueAt: DateTime,
            remindAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
            channel: Type.Optional(Type.String()),
            address: Type.Optional(Type.String()),
            ownerUserId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            ownerTeamId: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await createPromise(
        db,
        req.actor,
        req.params.id,
        {
          ...b,
          dueAt: Date.parse(b.dueAt),
          remindAt: b.remindAt === null ? null : b.remindAt ? Date.parse(b.remindAt) : undefined,
        },
        clock(),
      );
      changed(req.actor.workspaceId, req.params.id, 'promise');
      return reply.status(201).send(p);
    },
  );

  app.get(
    '/api/v1/promises',
    {
      schema: {
        tags: ['promises'],
        summary: 'Promises, soonest due first',
        querystring: Type.Object({
          status: Type.Optional(Type.String()),
          case: Type.Optional(Type.String()),
          owner: Type.Optional(Type.String()),
        }),
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('promises')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .$if(!!req.query.status, (q) => q.where('status', '=', req.query.status as never))
        .$if(!!req.query.case, (q) => q.where('case_id', '=', req.query.case!))
        .$if(!!req.query.owner, (q) => q.where('owner_user_id', '=', req.query.owner!))
        .orderBy('due_at')
        .limit(500)
        .execute();
      return { items: rows.map(toPromiseDto) };
    },
  );

  app.post(
    '/api/v1/promises/:id/:outcome',
    {
      schema: {
        tags: ['promises'],
        summary: 'Mark a promise kept (with how) or cancelled (with why)',
        params: Type.Object({
          id: Type.String(),
          outcome: Type.Union([Type.Literal('keep'), Type.Literal('cancel')]),
        }),
        body: Type.Object(
          { how: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      settlePromise(
        db,
        req.actor,
        req.params.id,
        req.params.outcome === 'keep' ? 'kept' : 'cancelled',
        req.body.how,
        clock(),
      ),
  );

  app.get(
    '/api/v1/promises/stats',
    {
      schema: {
        tags: ['promises'],
        summary: 'Kept, broken and cancelled promises per team and agent (by due time)',
        querystring: Type.Object({ from: Type.Optional(DateTime), to: Type.Optional(DateTime) }),
      },
    },
    async (req) => ({
      items: await promiseStats(
        db,
        req.actor.workspaceId,
        req.query.from ? Date.parse(req.query.from) : 0,
        req.query.to ? Date.parse(req.query.to) : Number.MAX_SAFE_INTEGER,
      ),
    }),
  );

  // --- SLA
  app.post(
    '/api/v1/sla/calendars',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'A business-hours calendar: time zone, weekly hours, holidays',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            timeZone: Type.String({ minLength: 1 }),
            hours: Type.Record(
              Type.String({ pattern: '^[0-6]$' }),
              Type.Array(
                Type.Tuple([
                  Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
                  Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
                ]),
              ),
              { description: 'weekday (0 = Sunday) → [["09:00","17:00"]]' },
            ),
            holidays: Type.Optional(Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      try {
        checkTimeZone(req.body.timeZone);
      } catch {
        throw new AppError('bad_request', `unknown time zone ${req.body.timeZone}`);
      }
      const id = newId();
      await db
        .insertInto('sla_calendars')
        .values({
          id,
          workspace_id: req.actor.workspaceId,
          name: req.body.name,
          time_zone: req.body.timeZone,
          hours_json: JSON.stringify(req.body.hours),
          holidays_json: JSON.stringify(req.body.holidays ?? []),
          created_at: clock(),
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/v1/sla/policies',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary:
          'An SLA policy for a priority (targets in business minutes); channel only to override parity',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            priority: Type.Union(['low', 'normal', 'high', 'urgent'].map((p) => Type.Literal(p))),
            channel: Type.Optional(Type.String()),
            calendarId: Type.Optional(Type.String()),
            firstResponseMinutes: Type.Optional(Type.Integer({ minimum: 0 })),
            nextResponseMinutes: Type.Optional(Type.Integer({ minimum: 0 })),
            resolutionMinutes: Type.Optional(Type.Integer({ minimum: 0 })),
            atRiskPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const id = newId();
      await db
        .insertInto('sla_policies')
        .values({
          id,
          workspace_id: req.actor.workspaceId,
          name: b.name,
          priority: b.priority,
          channel: b.channel ?? null,
          calendar_id: b.calendarId ?? null,
          first_response_minutes: b.firstResponseMinutes ?? null,
          next_response_minutes: b.nextResponseMinutes ?? null,
          resolution_minutes: b.resolutionMinutes ?? null,
          at_risk_percent: b.atRiskPercent ?? 80,
          created_at: clock(),
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/api/v1/cases/:id/sla',
    { schema: { tags: ['sla'], summary: 'The case’s SLA clocks and events', params: Id } },
    async (req) => {
      const row = await db
        .selectFrom('case_sla')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('case_id', '=', req.params.id)
        .executeTakeFirst();
      if (!row) throw notFound('SLA of the case');
      const events = await db
        .selectFrom('sla_events')
        .selectAll()
        .where('case_id', '=', req.params.id)
        .orderBy('id')
        .execute();
      const iso = (v: number | null | undefined) => (v == null ? null : new Date(v).toISOString());
      const clocks = JSON.parse(row.clocks_json) as Record<string, Record<string, number | null>>;
      return {
        policyId: row.policy_id,
        paused: row.paused_at !== null,
        clocks: Object.fromEntries(
          Object.entries(clocks).map(([k, c]) => [
            k,
            {
              targetMinutes: Number(c.targetMs) / 60_000,
              dueAt: iso(c.dueAt),
              atRiskAt: iso(c.atRiskAt),
              metAt: iso(c.metAt),
              breached: Boolean(c.breached),
            },
          ]),
        ),
        events: events.map((e) => ({
          clock: e.clock,
          kind: e.kind,
          dueAt: iso(Number(e.due_at)),
          channel: e.channel,
        })),
      };
    },
  );

  // --- CSAT
  app.post(
    '/api/v1/csat/:token',
    {
      config: { public: true },
      schema: {
        tags: ['csat'],
        summary: 'The customer answers the survey (the token is the credential)',
        params: Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) }),
        body: Type.Object(
          {
            rating: Type.Integer({ minimum: 1, maximum: 5 }),
            comment: Type.Optional(Type.String({ maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => answerSurvey(db, req.params.token, req.body.rating, req.body.comment, clock()),
  );

  app.get(
    '/api/v1/csat',
    { schema: { tags: ['csat'], summary: 'CSAT per channel and agent' } },
    async (req) => ({ items: await csatStats(db, req.actor.workspaceId) }),
  );

  // --- canned replies and macros
  app.post(
    '/api/v1/canned-replies',
    {
      schema: {
        tags: ['macros'],
        summary: 'A canned reply; variables {{customer.name}}, {{agent.name}}, {{case.number}}…',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            shortcut: Type.Optional(Type.String()),
            body: Type.String({ minLength: 1, maxLength: 20_000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
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
        summary: 'A canned reply rendered for the case',
        params: Type.Object({ id: Type.String(), cannedId: Type.String() }),
      },
    },
    async (req) => ({
      text: await renderCanned(db, req.actor, req.params.cannedId, req.params.id),
    }),
  );

  const MacroAction = Type.Union([
    Type.Object({
      type: Type.Literal('reply'),
      text: Type.Optional(Type.String()),
      cannedReplyId: Type.Optional(Type.String()),
      visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
    }),
    Type.Object({ type: Type.Literal('note'), body: Type.String({ minLength: 1 }) }),
    Type.Object({
      type: Type.Literal('status'),
      status: Type.Union(['open', 'pending', 'resolved', 'closed'].map((s) => Type.Literal(s))),
      statusReason: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('internal')])),
      reason: Type.Optional(Type.String()),
    }),
    Type.Object({
      type: Type.Literal('priority'),
      priority: Type.Union(['low', 'normal', 'high', 'urgent'].map((s) => Type.Literal(s))),
    }),
    Type.Object({ type: Type.Literal('assign'), userId: Type.Union([Type.String(), Type.Null()]) }),
  ]);

  app.post(
    '/api/v1/macros',
    {
      schema: {
        tags: ['macros'],
        summary: 'A macro: a named list of actions (reply, note, status, priority, assign)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            actions: Type.Array(MacroAction, { minItems: 1 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
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
      schema: {
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
      const c = await applyMacro(
        db,
        req.actor,
        req.params.macroId,
        req.params.id,
        clock(),
        req.body.expectedVersion,
      );
      deps.onOutbox();
      changed(req.actor.workspaceId, req.params.id, 'macro');
      return toCaseSummary(c);
    },
  );

  // --- handoff
  app.post(
    '/api/v1/cases/:id/handoff',
    {
      schema: {
        tags: ['cases'],
        summary: 'Public → private: DM link reply on X, or move the case to phone, SMS or email',
        params: Id,
        body: Type.Object(
          {
            to: Type.Union(['dm', 'voice', 'sms', 'email'].map((s) => Type.Literal(s))),
            text: Type.Optional(Type.String({ maxLength: 20_000 })),
            address: Type.Optional(Type.String({ maxLength: 320 })),
            expectedVersion: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const r = await handoff(db, req.actor, req.params.id, req.body as never, clock());
      deps.onOutbox();
      changed(req.actor.workspaceId, req.params.id, 'handoff');
      return r;
    },
  );

  // --- surges
  app.get(
    '/api/v1/case-groups',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open cases grouped by surge key (and problem), largest first',
        querystring: Type.Object({ queue: Type.Optional(Type.String()) }),
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('cases')
        .select([
          'group_key',
          'problem_id',
          (eb) => eb.fn.countAll<number>().as('n'),
          (eb) => eb.fn.min('opened_at').as('since'),
        ])
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('status', 'in', ['new', 'open', 'pending'])
        .where((eb) => eb.or([eb('group_key', 'is not', null), eb('problem_id', 'is not', null)]))
        .$if(!!req.query.queue, (q) => q.where('queue_id', '=', req.query.queue!))
        .groupBy(['group_key', 'problem_id'])
        .orderBy('n', 'desc')
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
