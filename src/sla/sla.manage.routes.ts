import { Type } from '@sinclair/typebox';
import type { CareRouteDeps } from '../cases/care.routes.js';
import { AppError, notFound } from '../platform/errors.js';
import { NoContent, Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import {
  admin,
  CalendarDto,
  ChannelField,
  checkCalendar,
  checkPolicy,
  Holidays,
  Hours,
  Id,
  Minutes,
  PolicyDto,
  PriorityField,
  toCalendarDto,
  toPolicyDto,
} from './sla.admin.js';

/**
 * Reading, changing and removing SLA policies and calendars. A case keeps the targets and
 * calendar it was opened under for its whole life (they are stored with its clocks, `case_sla`),
 * so a change or removal here moves no running deadline; cases opened afterwards take it. A
 * calendar a policy uses cannot be removed (the policy would silently count around the clock).
 */
export function slaManageRoutes(app: Http, deps: CareRouteDeps) {
  const { db } = deps;

  const loadCalendar = async (ws: string, id: string) => {
    const c = await db
      .selectFrom('sla_calendars')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!c) throw notFound('SLA calendar');
    return c;
  };
  const loadPolicy = async (ws: string, id: string) => {
    const p = await db
      .selectFrom('sla_policies')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!p) throw notFound('SLA policy');
    return p;
  };

  app.get(
    '/api/v1/sla/calendars',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'Business-hours calendars, oldest first',
        response: {
          200: Type.Object({ items: Type.Array(CalendarDto), nextCursor: Type.Null() }),
        },
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('sla_calendars')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { items: rows.map(toCalendarDto), nextCursor: null };
    },
  );

  app.get(
    '/api/v1/sla/calendars/:id',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'One calendar',
        params: Id,
        response: { 200: CalendarDto },
      },
    },
    async (req) => toCalendarDto(await loadCalendar(req.actor.workspaceId, req.params.id)),
  );

  app.patch(
    '/api/v1/sla/calendars/:id',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'Change a calendar (checked whole, as on create); running clocks keep theirs',
        params: Id,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1 })),
            timeZone: Type.Optional(Type.String({ minLength: 1 })),
            hours: Type.Optional(Hours),
            holidays: Type.Optional(Holidays),
          },
          { additionalProperties: false },
        ),
        response: { 200: CalendarDto },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const now = toCalendarDto(await loadCalendar(ws, req.params.id));
      const next = { ...now, ...req.body };
      checkCalendar(next);
      await db
        .updateTable('sla_calendars')
        .set({
          name: next.name,
          time_zone: next.timeZone,
          hours_json: JSON.stringify(next.hours),
          holidays_json: JSON.stringify(next.holidays),
        })
        .where('workspace_id', '=', ws)
        .where('id', '=', now.id)
        .execute();
      return toCalendarDto(await loadCalendar(ws, now.id));
    },
  );

  app.delete(
    '/api/v1/sla/calendars/:id',
    {
      config: admin,
      schema: {
        response: {
          204: NoContent,
          409: Refusal('conflict: a policy uses this calendar (`details.policyId`)'),
        },
        tags: ['sla'],
        summary: 'Remove a calendar no policy uses',
        params: Id,
      },
    },
    async (req, reply) => {
      const ws = req.actor.workspaceId;
      const c = await loadCalendar(ws, req.params.id);
      const user = await db
        .selectFrom('sla_policies')
        .select(['id', 'name'])
        .where('workspace_id', '=', ws)
        .where('calendar_id', '=', c.id)
        .executeTakeFirst();
      if (user) {
        throw new AppError(
          'conflict',
          `policy ${user.id} ("${user.name}") uses this calendar: give it another calendarId (or null) first`,
          { policyId: user.id },
        );
      }
      await db.deleteFrom('sla_calendars').where('id', '=', c.id).execute();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/sla/policies',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'SLA policies, oldest first',
        response: {
          200: Type.Object({ items: Type.Array(PolicyDto), nextCursor: Type.Null() }),
        },
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('sla_policies')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { items: rows.map(toPolicyDto), nextCursor: null };
    },
  );

  app.get(
    '/api/v1/sla/policies/:id',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary: 'One SLA policy',
        params: Id,
        response: { 200: PolicyDto },
      },
    },
    async (req) => toPolicyDto(await loadPolicy(req.actor.workspaceId, req.params.id)),
  );

  app.patch(
    '/api/v1/sla/policies/:id',
    {
      config: admin,
      schema: {
        tags: ['sla'],
        summary:
          'Change a policy (checked whole, as on create; null clears channel, calendar or a target); cases opened before keep theirs',
        params: Id,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1 })),
            priority: Type.Optional(PriorityField),
            channel: Type.Optional(Nullable(ChannelField)),
            calendarId: Type.Optional(Nullable(Type.String())),
            firstResponseMinutes: Type.Optional(Nullable(Minutes)),
            nextResponseMinutes: Type.Optional(Nullable(Minutes)),
            resolutionMinutes: Type.Optional(Nullable(Minutes)),
            atRiskPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
          },
          { additionalProperties: false },
        ),
        response: {
          409: Refusal(
            'conflict: another policy already covers this priority and channel (`details.policyId`)',
          ),
          200: PolicyDto,
        },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const now = toPolicyDto(await loadPolicy(ws, req.params.id));
      const next = { ...now, ...req.body };
      await checkPolicy(db, ws, next, now.id);
      await db
        .updateTable('sla_policies')
        .set({
          name: next.name,
          priority: next.priority,
          channel: next.channel,
          calendar_id: next.calendarId,
          first_response_minutes: next.firstResponseMinutes,
          next_response_minutes: next.nextResponseMinutes,
          resolution_minutes: next.resolutionMinutes,
          at_risk_percent: next.atRiskPercent,
        })
        .where('workspace_id', '=', ws)
        .where('id', '=', now.id)
        .execute();
      return toPolicyDto(await loadPolicy(ws, now.id));
    },
  );

  app.delete(
    '/api/v1/sla/policies/:id',
    {
      config: admin,
      schema: {
        response: { 204: NoContent },
        tags: ['sla'],
        summary: 'Remove a policy; cases opened under it keep their clocks',
        params: Id,
      },
    },
    async (req, reply) => {
      const p = await loadPolicy(req.actor.workspaceId, req.params.id);
      await db.deleteFrom('sla_policies').where('id', '=', p.id).execute();
      return reply.status(204).send(null);
    },
  );
}
