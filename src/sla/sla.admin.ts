import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { calendarProblem } from './calendar.check.js';
import { checkTimeZone } from './calendar.js';

/**
 * What SLA administration accepts, shared by create (POST) and change (PATCH): a change is
 * checked as a whole, the stored policy or calendar with the change laid over it, by the same
 * rules a new one meets.
 */

export const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
/** Admins and supervisors set SLAs (reading them too: they are the desk's commitments). */
export const admin = { roles: ['admin' as const, 'supervisor' as const] };
/** Targets up to a year: beyond that a deadline is no promise, and far enough it is no date. */
export const Minutes = Type.Integer({ minimum: 0, maximum: 525_600 });
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PriorityField = Type.Union(PRIORITIES.map((p) => Type.Literal(p)));
export const ChannelField = Type.Union(CHANNEL_KINDS.map((c) => Type.Literal(c)));
export const Hours = Type.Record(
  Type.String({ pattern: '^[0-6]$' }),
  Type.Array(
    Type.Tuple([
      Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
      Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
    ]),
  ),
  { description: 'weekday (0 = Sunday) → [["09:00","17:00"]]' },
);
export const Holidays = Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }));

export interface CalendarFields {
  timeZone: string;
  hours: Record<string, unknown>;
  holidays: string[];
}

/** 400 for a calendar that would stop or break deadlines (unknown zone, never open, bad date). */
export function checkCalendar(c: CalendarFields): void {
  try {
    checkTimeZone(c.timeZone);
  } catch {
    throw new AppError('bad_request', `unknown time zone ${c.timeZone}`);
  }
  // A calendar never open would stop every deadline of its policies: refuse it here.
  const problem = calendarProblem(c.hours, c.holidays);
  if (problem) throw new AppError('bad_request', problem);
}

export interface PolicyKey {
  priority: string;
  channel: string | null;
  calendarId: string | null;
}

/**
 * 400 for an unknown calendar; 409 when another policy (not `selfId`) covers the same priority
 * and channel: a second would never be chosen (the first found wins), so it is refused, naming
 * the one in the way; nothing existing changes silently.
 */
export async function checkPolicy(
  db: Kysely<DB>,
  ws: string,
  p: PolicyKey,
  selfId?: string,
): Promise<void> {
  if (p.calendarId) {
    const cal = await db
      .selectFrom('sla_calendars')
      .select('id')
      .where('workspace_id', '=', ws)
      .where('id', '=', p.calendarId)
      .executeTakeFirst();
    // An unknown calendar would silently mean "always open".
    if (!cal) throw new AppError('bad_request', `calendarId ${p.calendarId} is not a calendar`);
  }
  const existing = await db
    .selectFrom('sla_policies')
    .select(['id', 'name'])
    .where('workspace_id', '=', ws)
    .where('priority', '=', p.priority)
    .where('channel', p.channel ? '=' : 'is', p.channel)
    .$if(selfId !== undefined, (q) => q.where('id', '!=', selfId!))
    .executeTakeFirst();
  if (existing) {
    throw new AppError(
      'conflict',
      `policy ${existing.id} ("${existing.name}") already covers priority ${p.priority} on ${p.channel ?? 'every channel'}`,
      { policyId: existing.id },
    );
  }
}

type CalendarRow = DB['sla_calendars'];
type PolicyRow = DB['sla_policies'];
const iso = (ms: number) => new Date(Number(ms)).toISOString();

export const CalendarDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  hours: Type.Record(Type.String(), Type.Array(Type.Array(Type.String()))),
  holidays: Type.Array(Type.String()),
  createdAt: Type.String(),
});

export const toCalendarDto = (c: CalendarRow) => ({
  id: c.id,
  name: c.name,
  timeZone: c.time_zone,
  hours: JSON.parse(c.hours_json) as Record<string, string[][]>,
  holidays: JSON.parse(c.holidays_json) as string[],
  createdAt: iso(c.created_at),
});

const NullableInt = Type.Union([Type.Null(), Type.Integer()]);
export const PolicyDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  priority: Type.String(),
  channel: Type.Union([Type.Null(), Type.String()]),
  calendarId: Type.Union([Type.Null(), Type.String()]),
  firstResponseMinutes: NullableInt,
  nextResponseMinutes: NullableInt,
  resolutionMinutes: NullableInt,
  atRiskPercent: Type.Integer(),
  createdAt: Type.String(),
});

export const toPolicyDto = (p: PolicyRow) => ({
  id: p.id,
  name: p.name,
  priority: p.priority,
  channel: p.channel,
  calendarId: p.calendar_id,
  firstResponseMinutes: p.first_response_minutes === null ? null : Number(p.first_response_minutes),
  nextResponseMinutes: p.next_response_minutes === null ? null : Number(p.next_response_minutes),
  resolutionMinutes: p.resolution_minutes === null ? null : Number(p.resolution_minutes),
  atRiskPercent: Number(p.at_risk_percent),
  createdAt: iso(p.created_at),
});
