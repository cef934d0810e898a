import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { Capabilities } from '../platform/db/database.js';
import type { DB, Priority } from '../platform/db/schema.js';
import { ALWAYS_OPEN, type Calendar, hasHours } from './calendar.js';
import {
  CLOCKS,
  type ClockName,
  type Clocks,
  meetClock,
  nextDue,
  pauseClocks,
  reopenClock,
  resumeClocks,
  startClock,
  type Targets,
  unmeetClock,
} from './clocks.js';
import { recordWithdrawals, replaceTimers, type Withdrawal, writeRows } from './sla.writes.js';

/**
 * Built-in targets (business minutes) used until an admin defines policies. One policy per
 * priority for every channel: a caller and a tweeter with the same need get the same clock.
 */
export const DEFAULT_TARGETS: Record<Priority, Omit<Targets, 'atRiskPercent'>> = {
  urgent: { first_response: 30, next_response: 60, resolution: 240 },
  high: { first_response: 60, next_response: 120, resolution: 480 },
  normal: { first_response: 240, next_response: 480, resolution: 1440 },
  low: { first_response: 480, next_response: 1440, resolution: 4320 },
};

export type SlaEventType =
  | 'opened'
  | 'customer_wrote'
  | 'agent_replied'
  | 'pending_customer'
  | 'resumed'
  | 'resolved'
  | 'reopened'
  | 'closed'
  /** The reply of `replyAt` was never delivered: the response clocks it met run again. */
  | 'reply_failed';

export interface SlaEvent {
  caseId: string;
  type: SlaEventType;
  at: number;
  priority: Priority;
  channel: string;
  /** `reply_failed`: when the undelivered reply was sent (the time it met the clocks at). */
  replyAt?: number;
  /** `reply_failed`: the next answer since (a reply of ours not failed, a resolution), if any. */
  answeredAt?: number | null;
  /**
   * `pending_customer` set by a person (or kept from one): the first-response clock runs on, so
   * the desk cannot stop it without answering. Left out (a problem's fix, whose notice told the
   * customer), every clock pauses.
   */
  firstResponseRuns?: boolean;
}

interface PolicyChoice {
  policyId: string | null;
  targets: Targets;
  calendar: Calendar;
}

export interface PolicySet {
  choose(priority: Priority, channel: string): PolicyChoice;
}

/** Where the SLA store says what it met: a calendar it counts around the clock. */
export type SlaLogger = Pick<Logger, 'warn'>;

const reported = new WeakMap<SlaLogger, Set<string>>();

/**
 * Warns, once per calendar and logger (one app's), of a stored calendar without opening hours:
 * its deadlines are counted around the clock (`calendar.ts`) rather than failing intake.
 */
function reportUnusable(logger: SlaLogger | undefined, cal: Calendar): void {
  if (!logger || hasHours(cal)) return;
  const seen = reported.get(logger) ?? new Set<string>();
  reported.set(logger, seen);
  const key = JSON.stringify(cal);
  if (seen.has(key)) return;
  if (seen.size > 1000) seen.clear();
  seen.add(key);
  logger.warn(
    { timeZone: cal.timeZone, hours: cal.hours },
    'an SLA calendar has no opening hours; its deadlines are counted around the clock',
  );
}

/** Loads the workspace's policies and calendars once; `choose` prefers a channel override. */
export async function loadPolicies(
  trx: Kysely<DB>,
  ws: string,
  logger?: SlaLogger,
): Promise<PolicySet> {
  const [policies, calendars] = await Promise.all([
    trx.selectFrom('sla_policies').selectAll().where('workspace_id', '=', ws).execute(),
    trx.selectFrom('sla_calendars').selectAll().where('workspace_id', '=', ws).execute(),
  ]);
  const cals = new Map(
    calendars.map((c) => [
      c.id,
      {
        timeZone: c.time_zone,
        hours: JSON.parse(c.hours_json),
        holidays: JSON.parse(c.holidays_json),
      } as Calendar,
    ]),
  );
  const policyCalendar = (id: string | null) => {
    const cal = (id && cals.get(id)) || ALWAYS_OPEN;
    reportUnusable(logger, cal);
    return cal;
  };
  return {
    choose(priority, channel) {
      const p =
        policies.find((x) => x.priority === priority && x.channel === channel) ??
        policies.find((x) => x.priority === priority && x.channel === null);
      if (!p)
        return {
          policyId: null,
          targets: { ...DEFAULT_TARGETS[priority], atRiskPercent: 80 },
          calendar: ALWAYS_OPEN,
        };
      return {
        policyId: p.id,
        targets: {
          first_response: p.first_response_minutes,
          next_response: p.next_response_minutes,
          resolution: p.resolution_minutes,
          atRiskPercent: p.at_risk_percent,
        },
        calendar: policyCalendar(p.calendar_id),
      };
    },
  };
}

const ORDER: Record<SlaEventType, number> = {
  opened: 0,
  reopened: 1,
  resumed: 1,
  customer_wrote: 2,
  agent_replied: 3,
  pending_customer: 4,
  resolved: 5,
  closed: 6,
  reply_failed: 7,
};

interface Row {
  case_id: string;
  policy_id: string | null;
  calendar: Calendar;
  targets: Targets;
  /** `{ calendar, targets }` as stored; shared by the cases of one policy. */
  calendarJson: string;
  clocks: Clocks;
  paused_at: number | null;
  isNew: boolean;
}

/**
 * Applies SLA events to the cases' clocks in `trx`, in event-time order, and replaces their
 * pending deadline timers (`sla.at_risk:<clock>`, `sla.breach:<clock>`). A clock met in time
 * that was marked breached (the meeting event reached the desk after the deadline fired) has its
 * breach withdrawn (`recordWithdrawals`). A fixed number of statements per call, whatever the
 * number of cases.
 */
export async function applySla(
  trx: Kysely<DB>,
  ws: string,
  events: SlaEvent[],
  now: number,
  opts: ApplyOptions = {},
): Promise<void> {
  const fresh = opts.fresh ?? new Set<string>();
  if (events.length === 0) return;
  // Clocks, then timers: the order the scheduler must not meet with timers, then clocks. Callers
  // take the lock at their transaction's start (caseWriteTransaction); this covers any that do
  // not, before this call's first row lock.
  await shareCaseWrites(trx);
  const ids = [...new Set(events.map((e) => e.caseId))].filter((id) => !fresh.has(id));
  const rows = new Map<string, Row>();
  // The cases of one policy store the same calendar text: parse (and stringify) it once per call,
  // and let them share the objects.
  const parsed = new Map<string, { calendar: Calendar; targets: Targets }>();
  for (let i = 0; i < ids.length; i += 1000) {
    const found = await trx
      .selectFrom('case_sla')
      .selectAll()
      .where('case_id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const r of found) {
      let cal = parsed.get(r.calendar_json);
      if (!cal) {
        cal = JSON.parse(r.calendar_json) as { calendar: Calendar; targets: Targets };
        parsed.set(r.calendar_json, cal);
        reportUnusable(opts.logger, cal.calendar);
      }
      rows.set(r.case_id, {
        case_id: r.case_id,
        policy_id: r.policy_id,
        calendar: cal.calendar,
        targets: cal.targets,
        calendarJson: r.calendar_json,
        clocks: JSON.parse(r.clocks_json),
        paused_at: r.paused_at === null ? null : Number(r.paused_at),
        isNew: false,
      });
    }
  }
  const set = opts.policies ?? (await loadPolicies(trx, ws, opts.logger));
  const choices = new Map<string, PolicyChoice & { json: string }>();
  const chosen = (priority: Priority, channel: string) => {
    const k = `${priority}\u0000${channel}`;
    let c = choices.get(k);
    if (!c) {
      const choice = set.choose(priority, channel);
      c = {
        ...choice,
        json: JSON.stringify({ calendar: choice.calendar, targets: choice.targets }),
      };
      choices.set(k, c);
    }
    return c;
  };
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || ORDER[a.e.type] - ORDER[b.e.type] || a.i - b.i)
    .map((x) => x.e);
  const touched = new Set<string>();
  const withdrawals: Withdrawal[] = [];
  for (const e of sorted) {
    let r = rows.get(e.caseId);
    // Resolving or closing a case that never ran a clock (imported history, a case older than
    // the care core) has nothing to meet: clocks started and met at once would count as kept.
    if (!r && (e.type === 'resolved' || e.type === 'closed')) continue;
    if (!r) {
      // A case met for the first time (new, or older than the care core): its policy now.
      const choice = chosen(e.priority, e.channel);
      r = {
        case_id: e.caseId,
        policy_id: choice.policyId,
        calendar: choice.calendar,
        targets: choice.targets,
        calendarJson: choice.json,
        clocks: {},
        paused_at: null,
        isNew: true,
      };
      rows.set(e.caseId, r);
      startClock(r.calendar, r.clocks, 'first_response', r.targets, e.at);
      startClock(r.calendar, r.clocks, 'resolution', r.targets, e.at);
      touched.add(e.caseId);
      if (e.type === 'opened') continue;
    }
    touched.add(e.caseId);
    step(r, e, withdrawals);
  }

  const upserts = [...touched].map((id) => {
    const r = rows.get(id)!;
    return {
      case_id: id,
      workspace_id: ws,
      policy_id: r.policy_id,
      calendar_json: r.calendarJson,
      clocks_json: JSON.stringify(r.clocks),
      paused_at: r.paused_at,
      next_due_at: nextDue(r.clocks),
      updated_at: now,
    };
  });
  await writeRows(trx, opts.caps, 'case_sla', upserts, {
    onConflict: {
      columns: ['case_id'],
      update: ['clocks_json', 'paused_at', 'next_due_at', 'updated_at'],
    },
  });
  await replaceTimers(
    trx,
    ws,
    [...touched].map((id) => rows.get(id)!),
    now,
    fresh,
    opts.caps,
  );
  await recordWithdrawals(trx, ws, withdrawals, now, opts.caps);
}

export interface ApplyOptions {
  /** The workspace's policies, when the caller already has them. */
  policies?: PolicySet;
  /**
   * Cases created in this very transaction (the pipeline's new cases): they have no clocks or
   * timers yet, so nothing is read for them.
   */
  fresh?: ReadonlySet<string>;
  /** The engine's capabilities: rows are then written by the bulk writer (the pipeline's path). */
  caps?: Capabilities;
  /**
   * Told of a stored calendar without opening hours. The pipeline passes its app's logger, so
   * intake reports one; an agent's change on such a case counts the same, silently.
   */
  logger?: SlaLogger;
}

/** Meets a clock; a breach that this withdraws is added to `out`. */
function meet(r: Row, name: ClockName, at: number, out: Withdrawal[]) {
  const dueAt = meetClock(r.clocks, name, at);
  if (dueAt !== null) out.push({ caseId: r.case_id, clock: name, dueAt, metAt: at });
}

function step(r: Row, e: SlaEvent, withdrawals: Withdrawal[]) {
  const { calendar: cal, clocks, targets } = r;
  switch (e.type) {
    case 'opened':
      return;
    case 'customer_wrote': {
      if (r.paused_at !== null) return;
      const fr = clocks.first_response;
      const nr = clocks.next_response;
      const waitingForFirst = fr && fr.metAt === null;
      if (!waitingForFirst && (!nr || nr.metAt !== null)) {
        startClock(cal, clocks, 'next_response', targets, e.at);
      }
      return;
    }
    case 'agent_replied':
      meet(r, 'first_response', e.at, withdrawals);
      meet(r, 'next_response', e.at, withdrawals);
      return;
    case 'reply_failed':
      for (const name of ['first_response', 'next_response'] as const) {
        const undone = unmeetClock(
          cal,
          clocks,
          name,
          e.replyAt ?? e.at,
          // A person's pending never pauses first response (`firstResponseRuns`): it runs again.
          name === 'first_response' ? null : r.paused_at,
          e.at,
          targets.atRiskPercent,
        );
        // A later answer meets it then, late or not, as it would have had this one not counted.
        if (undone && e.answeredAt != null) meet(r, name, e.answeredAt, withdrawals);
      }
      return;
    case 'pending_customer':
      if (r.paused_at !== null) return;
      pauseClocks(cal, clocks, e.at, e.firstResponseRuns ? ['first_response'] : []);
      r.paused_at = e.at;
      return;
    case 'resumed':
      if (r.paused_at === null) return;
      resumeClocks(cal, clocks, e.at, targets.atRiskPercent);
      r.paused_at = null;
      return;
    case 'resolved':
    case 'closed':
      for (const name of CLOCKS) meet(r, name, e.at, withdrawals);
      r.paused_at = null;
      return;
    case 'reopened':
      reopenClock(cal, clocks, 'resolution', e.at, targets.atRiskPercent);
      startClock(cal, clocks, 'next_response', targets, e.at);
      r.paused_at = null;
      return;
  }
}

export type { ClockName };
