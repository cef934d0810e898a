import { type Kysely, sql } from 'kysely';
import { chunkSizes, executeRaw, insertRows, param, statementText } from '../platform/db/bulk.js';
import type { Capabilities } from '../platform/db/database.js';
import type { DB, Priority } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { Timer, TimerBatchHandler } from '../platform/jobs/scheduler.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { PRIORITY_RANK, priorityOf } from '../routing/priority.js';
import type { TriageResult } from '../triage/types.js';
import type { ClockName, Clocks } from './clocks.js';

/**
 * `sla.at_risk:<clock>` and `sla.breach:<clock>` timers: record an SLA event (the scorecard
 * counts them per channel) and a case history entry, and tell supervisors live. A timer whose
 * clock has since been met, paused or moved is stale and does nothing.
 *
 * The scheduler hands over every due SLA timer of its batch at once: the cases' clocks, rows and
 * latest customer messages are read in a few statements, the timers are decided in order in
 * memory (a breach seen by a later timer of the same case, a priority already raised), and the
 * effects are written in a few multi-row statements. A storm of due timers (a backlog, a replay)
 * cost six statements per timer before.
 *
 * Deadlines are event times: the scheduler hands a timer over only once no inbound event from
 * its clock's start to its due time is still unprocessed (`hold_from`, scheduler.ts), so beside
 * a replay or a catch-up a history case does not breach while the reply that met it waits.
 */
const SCHEDULER = { type: 'system' as const, id: 'scheduler' };

/** A timer scheduled this long after its due time was already overdue when its case arrived. */
export const LATE_BREACH_MS = 60 * 60_000;

const CHUNK = 500;

interface CaseView {
  channel: string;
  assignee_id: string | null;
  queue_id: string | null;
  priority: Priority;
  /** Priority raises made by this batch (each one bumps the case's version). */
  raises: number;
}

export const slaTimers: TimerBatchHandler = {
  async many(trx: Kysely<DB>, timers: Timer[], now: number, caps: Capabilities) {
    const ids = [...new Set(timers.map((t) => t.ref_id))];
    const clocksOf = new Map<string, Clocks>();
    const cases = new Map<string, CaseView>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const slaRows = await trx
        .selectFrom('case_sla')
        .select(['case_id', 'clocks_json'])
        .where('case_id', 'in', chunk)
        .execute();
      for (const r of slaRows) clocksOf.set(r.case_id, JSON.parse(r.clocks_json) as Clocks);
      const caseRows = await trx
        .selectFrom('cases')
        .select(['id', 'channel', 'assignee_id', 'queue_id', 'priority'])
        .where('id', 'in', chunk)
        .execute();
      for (const r of caseRows) cases.set(r.id, { ...r, raises: 0 });
    }
    // The latest customer message of each case a response clock may raise (read lazily, once).
    let lastTriage: Map<string, string | null> | null = null;
    const latestTriage = async (caseId: string) => {
      if (!lastTriage) {
        lastTriage = new Map();
        const wanted = [
          ...new Set(timers.filter((t) => !t.kind.endsWith(':resolution')).map((t) => t.ref_id)),
        ].filter((id) => cases.has(id) && clocksOf.has(id));
        await loadLatestTriage(trx, wanted, lastTriage);
      }
      return lastTriage.get(caseId) ?? null;
    };

    const events: LiveEvent[] = [];
    const breachedCases = new Set<string>();
    const slaEvents: DB['sla_events'][] = [];
    const caseEvents: DB['case_events'][] = [];
    const caseEvent = (t: Timer, type: string, data: Record<string, unknown>) =>
      caseEvents.push({
        id: newId(),
        workspace_id: t.workspace_id,
        case_id: t.ref_id,
        type,
        actor_type: SCHEDULER.type,
        actor_id: SCHEDULER.id,
        data_json: JSON.stringify(data),
        created_at: now,
        event_at: Number(t.due_at),
      });

    for (const t of timers) {
      const [prefix, clock] = t.kind.split(':') as [string, ClockName];
      const kind = prefix === 'sla.breach' ? 'breached' : 'at_risk';
      const clocks = clocksOf.get(t.ref_id);
      if (!clocks) continue;
      const c = clocks[clock];
      const kase = cases.get(t.ref_id);
      if (!c || !kase) continue;
      const dueAt = Number(t.due_at);
      // A deadline met late before its breach was recorded (`missed`, clocks.ts) is recorded now;
      // the clock says breached already (or, a next response, has started again).
      let deadline: number;
      const missed = kind === 'breached' && (c.missed?.includes(dueAt) ?? false);
      if (missed && c.missed) {
        c.missed = c.missed.filter((d) => d !== dueAt);
        if (c.missed.length === 0) delete c.missed;
        deadline = dueAt;
        breachedCases.add(t.ref_id);
      } else {
        if (c.runningSince === null || c.dueAt === null || c.breached) continue;
        const expected = kind === 'breached' ? c.dueAt : c.atRiskAt;
        if (expected !== dueAt) continue;
        deadline = c.dueAt;
        if (kind === 'breached') {
          c.breached = true;
          breachedCases.add(t.ref_id);
        }
      }
      slaEvents.push({
        id: newId(),
        workspace_id: t.workspace_id,
        case_id: t.ref_id,
        clock,
        kind,
        due_at: deadline,
        channel: kase.channel,
        created_at: now,
      });
      caseEvent(t, kind === 'breached' ? 'sla_breached' : 'sla_at_risk', {
        clock,
        dueAt: new Date(deadline).toISOString(),
      });
      const current = kase.priority;
      // Waiting raises priority; a missed deadline's customer has had the answer since.
      const raised =
        clock === 'resolution' || missed || c.runningSince === null
          ? null
          : raiseForWaiting(await latestTriage(t.ref_id), current, dueAt - c.runningSince);
      if (raised) {
        kase.priority = raised.priority;
        kase.raises++;
        caseEvent(t, 'priority_changed', {
          from: current,
          to: raised.priority,
          why: 'waiting',
          waitedMinutes: Math.round(raised.waitingMs / 60_000),
          score: raised.score,
        });
      }
      events.push({
        type: kind === 'breached' ? 'sla.breached' : 'sla.at_risk',
        workspaceId: t.workspace_id,
        data: {
          caseId: t.ref_id,
          clock,
          dueAt: new Date(deadline).toISOString(),
          // The deadline had passed long before the desk learned of the case: history brought in
          // by import or replay, or a long backlog. Recorded like any breach, but it says nothing
          // about how a team works now (the problem detector does not count it).
          late: Number(t.due_at) < Number(t.created_at) - LATE_BREACH_MS,
          assigneeId: kase.assignee_id,
          queueId: kase.queue_id,
          priority: raised?.priority ?? current,
        },
      });
    }

    await saveClocks(
      trx,
      caps,
      [...breachedCases].map((id) => [id, JSON.stringify(clocksOf.get(id))] as const),
      now,
    );
    await insertRows(trx, caps, 'sla_events', slaEvents);
    await insertRows(trx, caps, 'case_events', caseEvents);
    // Raised cases, grouped by their new priority and how many raises (versions) they took.
    const raisedGroups = new Map<string, { priority: Priority; raises: number; ids: string[] }>();
    for (const [id, k] of cases) {
      if (k.raises === 0) continue;
      const g = `${k.priority}\u0000${k.raises}`;
      const group = raisedGroups.get(g) ?? { priority: k.priority, raises: k.raises, ids: [] };
      raisedGroups.set(g, group);
      group.ids.push(id);
    }
    for (const { priority, raises, ids: raisedIds } of raisedGroups.values()) {
      for (let i = 0; i < raisedIds.length; i += CHUNK) {
        await trx
          .updateTable('cases')
          .set({ priority, version: sql<number>`version + ${raises}`, updated_at: now })
          .where('id', 'in', raisedIds.slice(i, i + CHUNK))
          .execute();
      }
    }
    return events;
  },
};

/** Writes the clocks of breached cases in one UPDATE … FROM (VALUES …) per chunk. */
async function saveClocks(
  trx: Kysely<DB>,
  caps: Capabilities,
  rows: (readonly [string, string])[],
  now: number,
) {
  let at = 0;
  for (const size of chunkSizes(caps, rows.length, 2)) {
    // `now` (in the SET list) binds first.
    const params: unknown[] = [now];
    for (const [id, json] of rows.slice(at, at + size)) params.push(id, json);
    at += size;
    const text = statementText(`update case_sla\u0000${caps.placeholders}\u0000${size}`, () => {
      const tuples: string[] = [];
      for (let r = 0; r < size; r++)
        tuples.push(`(${param(caps, 2 + 2 * r)}, ${param(caps, 3 + 2 * r)})`);
      return `update case_sla set clocks_json = v.column2, updated_at = cast(${param(caps, 1)} as bigint)
        from (values ${tuples.join(', ')}) as v
        where case_sla.case_id = v.column1`;
    });
    await executeRaw(trx, text, params);
  }
}

/**
 * The triage of each case's latest customer message (by event time; among equal times the one
 * stored last, as an index walk backwards finds it first).
 */
async function loadLatestTriage(
  trx: Kysely<DB>,
  caseIds: string[],
  out: Map<string, string | null>,
) {
  for (let i = 0; i < caseIds.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('messages')
      .select(['case_id', 'sent_at', 'triage_json'])
      .where('case_id', 'in', caseIds.slice(i, i + CHUNK))
      .where('direction', '=', 'in')
      .orderBy('case_id')
      .orderBy('sent_at')
      .execute();
    const best = new Map<string, number>();
    for (const r of rows) {
      const id = r.case_id!;
      const at = Number(r.sent_at);
      const seen = best.get(id);
      if (seen === undefined || at >= seen) {
        best.set(id, at);
        out.set(id, r.triage_json);
      }
    }
  }
}

/**
 * Waiting raises priority (1 point per 15 minutes, see routing/priority.ts): when a response clock
 * goes at risk or breaches, the need of the customer's latest message is scored again with the
 * time waited, and the case moves up a band if that crosses one. Never down: agents lower by hand.
 */
function raiseForWaiting(triageJson: string | null, current: Priority, waitingMs: number) {
  const tri = triageJson ? (JSON.parse(triageJson) as Partial<TriageResult>) : {};
  const next = priorityOf({
    topic: tri.topic ?? 'other',
    urgency: tri.urgency ?? [],
    complaint: tri.complaint ?? false,
    sentiment: tri.sentiment ?? 0,
    waitingMs,
  });
  if (PRIORITY_RANK[next.priority] <= PRIORITY_RANK[current]) return null;
  return { priority: next.priority, score: next.score, waitingMs };
}
