import { Type } from '@sinclair/typebox';
import type { CareRouteDeps } from '../cases/care.routes.js';
import { notFound } from '../platform/errors.js';
import { Created, Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import {
  admin,
  ChannelField,
  checkCalendar,
  checkPolicy,
  Holidays,
  Hours,
  Id,
  Minutes,
  PriorityField,
} from './sla.admin.js';
import { slaManageRoutes } from './sla.manage.routes.js';

/** SLA administration (policies, calendars) and a case's clocks. */
export function slaRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;

  app.post(
    '/api/v1/sla/calendars',
    {
      config: admin,
      schema: {
        response: { 201: Created() },
        tags: ['sla'],
        summary: 'A business-hours calendar: time zone, weekly hours, holidays',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            timeZone: Type.String({ minLength: 1 }),
            hours: Hours,
            holidays: Type.Optional(Holidays),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      checkCalendar({ ...req.body, holidays: req.body.holidays ?? [] });
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
        response: {
          201: Created(),
          409: Refusal(
            'conflict: another policy already covers this priority and channel (`details.policyId`)',
          ),
        },
        tags: ['sla'],
        summary:
          'An SLA policy for a priority (targets in business minutes); channel only to override parity',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            priority: PriorityField,
            channel: Type.Optional(ChannelField),
            calendarId: Type.Optional(Type.String()),
            firstResponseMinutes: Type.Optional(Minutes),
            nextResponseMinutes: Type.Optional(Minutes),
            resolutionMinutes: Type.Optional(Minutes),
            atRiskPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const ws = req.actor.workspaceId;
      const id = newId();
      await checkPolicy(db, ws, {
        priority: b.priority,
        channel: b.channel ?? null,
        calendarId: b.calendarId ?? null,
      });
      await db
        .insertInto('sla_policies')
        .values({
          id,
          workspace_id: ws,
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

  slaManageRoutes(app, deps);

  /**
   * A case that never ran a clock: imported history (it lands resolved and starts none) or a case
   * older than the care core. It is answered as a case without a policy (`policyId: null`) whose
   * policy has no targets (`clocks: {}`), with no events, and `imported` saying whether the
   * case is imported history; only an unknown case is a 404.
   */
  const clockless = async (workspaceId: string, caseId: string) => {
    const c = await db
      .selectFrom('cases')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c) throw notFound('Case');
    const created = await db
      .selectFrom('case_events')
      .select('data_json')
      .where('case_id', '=', caseId)
      .where('type', '=', 'created')
      .orderBy('id')
      .executeTakeFirst();
    const data = created ? (JSON.parse(created.data_json) as { history?: unknown }) : {};
    return {
      policyId: null,
      paused: false,
      clocks: {},
      events: [],
      imported: data.history === true,
    };
  };

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
      if (!row) return clockless(req.actor.workspaceId, req.params.id);
      const events = await db
        .selectFrom('sla_events')
        .selectAll()
        .where('case_id', '=', req.params.id)
        .orderBy('id')
        .execute();
      // A policy stored before targets were bounded can hold instants no Date can show.
      const iso = (v: number | null | undefined) =>
        v == null || !Number.isFinite(new Date(v).getTime()) ? null : new Date(v).toISOString();
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
}
