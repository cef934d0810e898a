import type { Insertable, Kysely } from 'kysely';
import { type InsertOptions, insertRows } from '../platform/db/bulk.js';
import type { Capabilities } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { CLOCKS, type ClockName, type Clocks } from './clocks.js';

// What `applySla` (sla.store.ts) writes besides the clocks' rows: the deadline timers, and the
// breaches it withdrew.

/**
 * Inserts (or upserts) rows with the bulk writer when the engine's capabilities are known, else
 * through Kysely (the one-case calls from care core, where a statement or two is all there is).
 */
export async function writeRows<T extends 'case_sla' | 'timers' | 'case_events'>(
  trx: Kysely<DB>,
  caps: Capabilities | undefined,
  table: T,
  rows: Insertable<DB[T]>[],
  opts: InsertOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  if (caps) {
    await insertRows(trx, caps, table, rows, opts);
    return;
  }
  const conflict = opts.onConflict;
  for (let i = 0; i < rows.length; i += 500) {
    let q = trx.insertInto(table).values(rows.slice(i, i + 500) as never);
    if (conflict?.update) {
      const update = conflict.update;
      q = q.onConflict((oc) =>
        oc
          .columns(conflict.columns as never)
          .doUpdateSet(
            (eb) =>
              Object.fromEntries(update.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never,
          ),
      );
    }
    await q.execute();
  }
}

/** Makes the cases' pending deadline timers the ones their clocks want now. */
export async function replaceTimers(
  trx: Kysely<DB>,
  ws: string,
  rows: { case_id: string; clocks: Clocks }[],
  now: number,
  fresh: ReadonlySet<string>,
  caps: Capabilities | undefined,
) {
  const wanted = new Map<string, ReturnType<typeof timer>>();
  for (const r of rows) {
    for (const name of CLOCKS) {
      const c = r.clocks[name];
      // A deadline met late before its breach was recorded keeps its pending breach timer, or
      // gets one that waits for nothing (no event can meet that deadline now).
      for (const due of c?.missed ?? []) {
        const t = timer(ws, `sla.breach:${name}`, r.case_id, due, now, null);
        wanted.set(timerKey(t.ref_id, t.kind, t.due_at), t);
      }
      if (!c || c.dueAt === null) continue;
      // Deadlines are event times: the scheduler waits while an unprocessed inbound event from
      // the clock's start on might still meet it (0: a clock stored without its start).
      const holdFrom = c.startedAt ?? 0;
      if (c.atRiskAt !== null && c.atRiskAt < c.dueAt && !c.breached) {
        const t = timer(ws, `sla.at_risk:${name}`, r.case_id, c.atRiskAt, now, holdFrom);
        wanted.set(timerKey(t.ref_id, t.kind, t.due_at), t);
      }
      if (!c.breached) {
        const t = timer(ws, `sla.breach:${name}`, r.case_id, c.dueAt, now, holdFrom);
        wanted.set(timerKey(t.ref_id, t.kind, t.due_at), t);
      }
    }
  }
  // Most events leave the deadlines where they were (a customer writing again while we have not
  // answered): a pending timer that is still wanted as it is stays, only the others are
  // cancelled and only the missing ones inserted.
  const ids = rows.map((r) => r.case_id).filter((id) => !fresh.has(id));
  const stale: string[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    // Only `ref_id` in the WHERE clause, status and kind filtered here: with a condition on
    // `status` too, SQLite without planner statistics reads every pending timer of the
    // installation through `timers_due_ix` instead of the few of these cases (timers_ref_ix).
    const timers = await trx
      .selectFrom('timers')
      .select(['id', 'ref_id', 'kind', 'due_at', 'status'])
      .where('ref_id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const p of timers) {
      if (p.status !== 'pending' || !p.kind.startsWith('sla.')) continue;
      const k = timerKey(p.ref_id, p.kind, Number(p.due_at));
      if (wanted.has(k)) wanted.delete(k);
      else stale.push(p.id);
    }
  }
  for (let i = 0; i < stale.length; i += 1000) {
    await trx
      .updateTable('timers')
      .set({ status: 'cancelled' })
      .where('id', 'in', stale.slice(i, i + 1000))
      .execute();
  }
  await writeRows(trx, caps, 'timers', [...wanted.values()]);
}

const timerKey = (refId: string, kind: string, dueAt: number) =>
  `${refId}\u0000${kind}\u0000${dueAt}`;

const timer = (
  ws: string,
  kind: string,
  refId: string,
  dueAt: number,
  now: number,
  holdFrom: number | null,
) => ({
  id: newId(),
  workspace_id: ws,
  kind,
  ref_id: refId,
  due_at: dueAt,
  status: 'pending' as const,
  created_at: now,
  hold_from: holdFrom,
});

/** A breach withdrawn by `meetClock`: the clock was met in time by an event that came late. */
export interface Withdrawal {
  caseId: string;
  clock: ClockName;
  /** The deadline the breach was raised for. */
  dueAt: number;
  metAt: number;
}

/**
 * Records withdrawn breaches: the case's history says so (its `sla_breached` entry stays, as it
 * was seen then), and the breach rows go, so SLA reports and a problem detector rebuilt from
 * storage (`stored-signals.ts`) count only deadlines that were missed. A breach row of the clock
 * is this one when its deadline lies between the meeting and the deadline met (a pause and
 * resume after the breach moves the deadline on).
 */
export async function recordWithdrawals(
  trx: Kysely<DB>,
  ws: string,
  withdrawals: Withdrawal[],
  now: number,
  caps: Capabilities | undefined,
): Promise<void> {
  if (withdrawals.length === 0) return;
  const iso = (ms: number) => new Date(ms).toISOString();
  await writeRows(
    trx,
    caps,
    'case_events',
    withdrawals.map((w) => ({
      id: newId(),
      workspace_id: ws,
      case_id: w.caseId,
      type: 'sla_breach_withdrawn',
      actor_type: 'system' as const,
      actor_id: 'sla',
      data_json: JSON.stringify({ clock: w.clock, dueAt: iso(w.dueAt), metAt: iso(w.metAt) }),
      created_at: now,
      event_at: w.metAt,
    })),
  );
  // Four parameters a withdrawal: well under either engine's limit per statement.
  for (let i = 0; i < withdrawals.length; i += 250) {
    const chunk = withdrawals.slice(i, i + 250);
    await trx
      .deleteFrom('sla_events')
      .where('kind', '=', 'breached')
      .where((eb) =>
        eb.or(
          chunk.map((w) =>
            eb.and([
              eb('case_id', '=', w.caseId),
              eb('clock', '=', w.clock),
              eb('due_at', '>=', w.metAt),
              eb('due_at', '<=', w.dueAt),
            ]),
          ),
        ),
      )
      .execute();
  }
}
