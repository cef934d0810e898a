import { addBusinessMs, businessMsBetween, type Calendar } from './calendar.js';

/**
 * SLA clocks of one case, as pure state transitions. Each clock counts business time towards
 * its target; pausing (pending on the customer) banks what was used, resuming sets a new
 * deadline for what is left. Times are event times (message `sentAt`, or the moment of an
 * agent's action), so a replay of the same messages yields the same deadlines.
 */
export const CLOCKS = ['first_response', 'next_response', 'resolution'] as const;
export type ClockName = (typeof CLOCKS)[number];

export interface Clock {
  targetMs: number;
  /** Business time used before the current running stretch. */
  usedMs: number;
  /** Start of the running stretch; null when paused or stopped. */
  runningSince: number | null;
  dueAt: number | null;
  atRiskAt: number | null;
  metAt: number | null;
  breached: boolean;
  /**
   * When it started from zero (a reopen continues it). An event from before cannot meet it in
   * event time, so the scheduler waits only for unprocessed events from here to the deadline.
   * Absent on clocks stored before it was recorded.
   */
  startedAt?: number;
  /**
   * Deadlines a meeting came after before their breach was recorded: the desk processed the late
   * answer first (both in one batch, or the deadline was waiting for the inbound log). Their
   * breach timers still fire and record them (sla.jobs.ts), then they leave this list.
   */
  missed?: number[];
  /**
   * Start of the running stretch a meeting ended (null: it was paused then), so a meeting by a
   * reply the provider then refused can be undone (`unmeetClock`). Absent before it was recorded.
   */
  metFrom?: number | null;
}

export type Clocks = Partial<Record<ClockName, Clock>>;

export interface Targets {
  first_response: number | null;
  next_response: number | null;
  resolution: number | null;
  atRiskPercent: number;
}

function schedule(cal: Calendar, c: Clock, from: number, atRiskPercent: number) {
  c.runningSince = from;
  c.dueAt = addBusinessMs(cal, from, c.targetMs - c.usedMs);
  const riskUsed = Math.floor((c.targetMs * atRiskPercent) / 100);
  c.atRiskAt = riskUsed > c.usedMs ? addBusinessMs(cal, from, riskUsed - c.usedMs) : from;
}

/** Starts (or restarts from zero) a clock at `at`, when the policy has a target for it. */
export function startClock(
  cal: Calendar,
  clocks: Clocks,
  name: ClockName,
  targets: Targets,
  at: number,
): void {
  const target = targets[name];
  if (target === null || target === undefined) return;
  const c: Clock = {
    targetMs: target * 60_000,
    usedMs: 0,
    runningSince: null,
    dueAt: null,
    atRiskAt: null,
    metAt: null,
    breached: false,
    startedAt: at,
  };
  // A next-response clock restarts as the customer writes again: a deadline of the previous
  // stretch that still waits to be recorded goes with it.
  const missed = clocks[name]?.missed;
  if (missed?.length) c.missed = missed;
  schedule(cal, c, at, targets.atRiskPercent);
  clocks[name] = c;
}

/**
 * Stops a running clock as met (an answer was sent, the case was resolved). Met in time while
 * marked breached, the breach was raised before the desk knew of the event that met it (it
 * reached the log after the deadline: a late catch-up, a replay's later lines): the breach is
 * withdrawn, and its deadline returned so the caller can say so.
 */
export function meetClock(clocks: Clocks, name: ClockName, at: number): number | null {
  const c = clocks[name];
  if (!c || c.metAt !== null) return null;
  let withdrawn: number | null = null;
  if (c.dueAt !== null && at > c.dueAt) {
    if (!c.breached) c.missed = [...(c.missed ?? []), c.dueAt];
    c.breached = true;
  } else if (c.dueAt !== null && c.breached) {
    c.breached = false;
    withdrawn = c.dueAt;
  }
  c.metAt = at;
  c.metFrom = c.runningSince;
  c.runningSince = null;
  c.dueAt = null;
  c.atRiskAt = null;
  return withdrawn;
}

/**
 * Undoes the meeting at `metAt` of a response clock (the reply that met it was never delivered):
 * it runs again from where its stretch began, so its deadline is the one it had, and a deadline
 * since passed breaches (its timer fires at once). A breach the late reply recorded stays. A case
 * paused now (`pausedAt`) banks the stretch up to the pause instead. Pauses and resumes between
 * the meeting and now did not touch the met clock and are not replayed: a provider refuses
 * within seconds, so they are rare, and counting them as running time only brings the deadline
 * nearer. A clock met at another time (met since, or restarted) is left alone.
 */
export function unmeetClock(
  cal: Calendar,
  clocks: Clocks,
  name: ClockName,
  metAt: number,
  pausedAt: number | null,
  at: number,
  atRiskPercent: number,
): boolean {
  const c = clocks[name];
  if (!c || c.metAt !== metAt) return false;
  // A clock met before `metFrom` was recorded ran from its start unless it was ever paused.
  const from = c.metFrom !== undefined ? c.metFrom : c.usedMs === 0 ? (c.startedAt ?? null) : null;
  c.metAt = null;
  delete c.metFrom;
  if (pausedAt !== null) {
    if (from !== null) c.usedMs += businessMsBetween(cal, from, Math.max(pausedAt, from));
    return true;
  }
  schedule(cal, c, from ?? at, atRiskPercent);
  return true;
}

/**
 * Pauses every running clock (pending on the customer) but those in `keep`: a person's pending
 * keeps first response running, so a case never answered cannot wait out its first-response
 * target on the customer (as Zendesk's first reply time, which no status pauses).
 */
export function pauseClocks(
  cal: Calendar,
  clocks: Clocks,
  at: number,
  keep: readonly ClockName[] = [],
): void {
  for (const [name, c] of Object.entries(clocks) as [ClockName, Clock | undefined][]) {
    if (!c || c.runningSince === null || keep.includes(name)) continue;
    c.usedMs += businessMsBetween(cal, c.runningSince, Math.max(at, c.runningSince));
    c.runningSince = null;
    c.dueAt = null;
    c.atRiskAt = null;
  }
}

/** Resumes every paused, unmet clock with the business time it had left. */
export function resumeClocks(
  cal: Calendar,
  clocks: Clocks,
  at: number,
  atRiskPercent: number,
): void {
  for (const c of Object.values(clocks)) {
    if (!c || c.runningSince !== null || c.metAt !== null) continue;
    schedule(cal, c, at, atRiskPercent);
  }
}

/** Reopens a met clock (resolution after a reopen): it continues with what was left. */
export function reopenClock(
  cal: Calendar,
  clocks: Clocks,
  name: ClockName,
  at: number,
  atRiskPercent: number,
): void {
  const c = clocks[name];
  if (!c || c.metAt === null) return;
  c.metAt = null;
  schedule(cal, c, at, atRiskPercent);
}

/** The earliest running deadline (for "at risk" lists), or null. */
export function nextDue(clocks: Clocks): number | null {
  let min: number | null = null;
  for (const c of Object.values(clocks)) {
    if (c?.dueAt != null && (min === null || c.dueAt < min)) min = c.dueAt;
  }
  return min;
}
