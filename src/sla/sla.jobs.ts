import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { Timer, TimerHandler } from '../platform/jobs/scheduler.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import type { ClockName, Clocks } from './clocks.js';

/**
 * `sla.at_risk:<clock>` and `sla.breach:<clock>` timers: record an SLA event (the scorecard
 * counts them per channel) and a case history entry, and tell supervisors live. A timer whose
 * clock has since been met, paused or moved is stale and does nothing.
 */
export const slaTimer: TimerHandler = async (trx: Kysely<DB>, t: Timer, now: number) => {
  const [prefix, clock] = t.kind.split(':') as [string, ClockName];
  const kind = prefix === 'sla.breach' ? 'breached' : 'at_risk';
  const row = await trx
    .selectFrom('case_sla')
    .selectAll()
    .where('case_id', '=', t.ref_id)
    .executeTakeFirst();
  if (!row) return [];
  const clocks = JSON.parse(row.clocks_json) as Clocks;
  const c = clocks[clock];
  if (!c || c.runningSince === null || c.dueAt === null || c.breached) return [];
  const expected = kind === 'breached' ? c.dueAt : c.atRiskAt;
  if (expected !== Number(t.due_at)) return [];
  const kase = await trx
    .selectFrom('cases')
    .select(['channel', 'assignee_id', 'queue_id', 'priority'])
    .where('id', '=', t.ref_id)
    .executeTakeFirst();
  if (!kase) return [];
  if (kind === 'breached') {
    c.breached = true;
    await trx
      .updateTable('case_sla')
      .set({ clocks_json: JSON.stringify(clocks), updated_at: now })
      .where('case_id', '=', t.ref_id)
      .execute();
  }
  await trx
    .insertInto('sla_events')
    .values({
      id: newId(),
      workspace_id: t.workspace_id,
      case_id: t.ref_id,
      clock,
      kind,
      due_at: c.dueAt,
      channel: kase.channel,
      created_at: now,
    })
    .execute();
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: t.workspace_id,
      case_id: t.ref_id,
      type: kind === 'breached' ? 'sla_breached' : 'sla_at_risk',
      actor_type: 'system',
      actor_id: 'scheduler',
      data_json: JSON.stringify({ clock, dueAt: new Date(c.dueAt).toISOString() }),
      created_at: now,
      event_at: Number(t.due_at),
    })
    .execute();
  const event: LiveEvent = {
    type: kind === 'breached' ? 'sla.breached' : 'sla.at_risk',
    workspaceId: t.workspace_id,
    data: {
      caseId: t.ref_id,
      clock,
      dueAt: new Date(c.dueAt).toISOString(),
      assigneeId: kase.assignee_id,
      queueId: kase.queue_id,
      priority: kase.priority,
    },
  };
  return [event];
};
