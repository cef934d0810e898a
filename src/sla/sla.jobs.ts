import { type Kysely, sql } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import type { DB, Priority } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { Timer, TimerHandler } from '../platform/jobs/scheduler.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { PRIORITY_RANK, priorityOf } from '../routing/priority.js';
import type { TriageResult } from '../triage/types.js';
import type { ClockName, Clocks } from './clocks.js';

/**
 * `sla.at_risk:<clock>` and `sla.breach:<clock>` timers: record an SLA event (the scorecard
 * counts them per channel) and a case history entry, and tell supervisors live. A timer whose
 * clock has since been met, paused or moved is stale and does nothing.
 */
const SCHEDULER = { type: 'system' as const, id: 'scheduler' };

/** A timer scheduled this long after its due time was already overdue when its case arrived. */
const LATE_MS = 60 * 60_000;

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
  await caseEvent(
    trx,
    t.workspace_id,
    t.ref_id,
    SCHEDULER,
    kind === 'breached' ? 'sla_breached' : 'sla_at_risk',
    { clock, dueAt: new Date(c.dueAt).toISOString() },
    now,
    Number(t.due_at),
  );
  const raised =
    clock === 'resolution'
      ? null
      : await raiseForWaiting(trx, t, kase.priority, Number(t.due_at) - c.runningSince, now);
  const event: LiveEvent = {
    type: kind === 'breached' ? 'sla.breached' : 'sla.at_risk',
    workspaceId: t.workspace_id,
    data: {
      caseId: t.ref_id,
      clock,
      dueAt: new Date(c.dueAt).toISOString(),
      // The deadline had passed long before the desk learned of the case: history brought in by
      // import or replay, or a long backlog. Recorded like any breach, but it says nothing about
      // how a team works now (the problem detector does not count it).
      late: Number(t.due_at) < Number(t.created_at) - LATE_MS,
      assigneeId: kase.assignee_id,
      queueId: kase.queue_id,
      priority: raised ?? kase.priority,
    },
  };
  return [event];
};

/**
 * Waiting raises priority (1 point per 15 minutes, see routing/priority.ts): when a response clock
 * goes at risk or breaches, the need of the customer's latest message is scored again with the
 * time waited, and the case moves up a band if that crosses one. Never down: agents lower by hand.
 */
async function raiseForWaiting(
  trx: Kysely<DB>,
  t: Timer,
  current: Priority,
  waitingMs: number,
  now: number,
): Promise<Priority | null> {
  const last = await trx
    .selectFrom('messages')
    .select('triage_json')
    .where('case_id', '=', t.ref_id)
    .where('direction', '=', 'in')
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const tri = last?.triage_json ? (JSON.parse(last.triage_json) as Partial<TriageResult>) : {};
  const next = priorityOf({
    topic: tri.topic ?? 'other',
    urgency: tri.urgency ?? [],
    complaint: tri.complaint ?? false,
    sentiment: tri.sentiment ?? 0,
    waitingMs,
  });
  if (PRIORITY_RANK[next.priority] <= PRIORITY_RANK[current]) return null;
  await trx
    .updateTable('cases')
    .set({ priority: next.priority, version: sql<number>`version + 1`, updated_at: now })
    .where('id', '=', t.ref_id)
    .execute();
  await caseEvent(
    trx,
    t.workspace_id,
    t.ref_id,
    SCHEDULER,
    'priority_changed',
    {
      from: current,
      to: next.priority,
      why: 'waiting',
      waitedMinutes: Math.round(waitingMs / 60_000),
      score: next.score,
    },
    now,
    Number(t.due_at),
  );
  return next.priority;
}
