/**
 * Closing the loop, measured: when an injected incident ends (event time), its owner team marks
 * the matched problem fixed through the public API (`POST /api/v1/problems/:id/status`, the call
 * an owner team's tool makes), then the app's own outbox delivers the queued notifications
 * through the real channel adapters to fake providers on loopback (providers.ts).
 *
 * Time: while the outbox works after a fix, the app's clock runs from the fix's event time at
 * wall speed (real processing time counts), and jumps ahead to the next retry when nothing is
 * due, up to a one-hour horizon. Latency is `sent_at − fixed_at` of each customer's first sent
 * notification, read back from the database (problem_notifications), never assumed.
 */
import type { App } from '../../src/app.js';
import { quantile } from './metrics.js';

const MIN = 60_000;
const HORIZON = 60 * MIN;

export interface NotifyMetrics {
  fixes: number;
  /** Customers linked to a fixed problem when it was fixed, summed over fixes. */
  customers: number;
  notified: number;
  within15: number;
  latenciesMin: number[];
  /** Not-notified customers by the delivery status and error of their notifications. */
  notNotified: Map<string, number>;
}

/** The app clock: event time while replaying, fix time plus elapsed wall time while delivering. */
export class EvalClock {
  private eventTime = 0;
  private delivering: { base: number; wall0: number } | null = null;
  readonly now = (): number =>
    this.delivering
      ? this.delivering.base + (performance.now() - this.delivering.wall0)
      : this.eventTime;

  setEventTime(t: number) {
    this.eventTime = t;
  }
  startDelivering(at: number) {
    this.delivering = { base: at, wall0: performance.now() };
  }
  /** Skips idle time to `t` (the next retry) without losing the wall time already spent. */
  jumpTo(t: number) {
    if (this.delivering && t > this.now()) this.delivering = { base: t, wall0: performance.now() };
  }
  stopDelivering() {
    this.delivering = null;
  }
}

/** The problem most of an incident's messages' cases are linked to right now, if any. */
export async function problemOfIncident(
  app: App,
  refs: readonly { channel: string; externalId: string }[],
): Promise<string | null> {
  const db = app.database.db;
  const counts = new Map<string, number>();
  const byChannel = new Map<string, string[]>();
  for (const r of refs)
    byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r.externalId]);
  for (const [channel, ids] of byChannel) {
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('messages')
        .innerJoin('problem_links', 'problem_links.case_id', 'messages.case_id')
        .select(['problem_links.problem_id as problemId'])
        .where('messages.workspace_id', '=', app.workspace.workspaceId)
        .where('messages.channel', '=', channel)
        .where('messages.external_id', 'in', ids.slice(i, i + 500))
        .where('problem_links.unlinked_at', 'is', null)
        .execute();
      for (const r of rows) counts.set(r.problemId, (counts.get(r.problemId) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  for (const [id, n] of counts) if (!best || n > (counts.get(best) ?? 0)) best = id;
  return best;
}

/**
 * Marks the problem fixed through the API at the current event time (unless it is already
 * fixed or later), then lets the outbox deliver until nothing is due within the horizon.
 * Returns whether a fix was posted.
 */
export async function fixAndDeliver(
  app: App,
  clock: EvalClock,
  auth: Record<string, string>,
  problemId: string,
  at: number,
): Promise<boolean> {
  const p = await app.database.db
    .selectFrom('problems')
    .select(['status'])
    .where('id', '=', problemId)
    .executeTakeFirst();
  if (!p || !['suspected', 'confirmed', 'fixing'].includes(p.status)) return false;
  clock.setEventTime(at);
  const res = await app.http.inject({
    method: 'POST',
    url: `/api/v1/problems/${problemId}/status`,
    headers: auth,
    payload: { status: 'fixed' },
  });
  if (res.statusCode !== 200) throw new Error(`fix failed: ${res.statusCode} ${res.body}`);
  clock.startDelivering(at);
  try {
    for (;;) {
      if ((await app.outbox.runOnce(200)) > 0) continue;
      const next = await app.database.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('t'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const t = next?.t === null || next?.t === undefined ? null : Number(next.t);
      if (t === null || t > at + HORIZON) break;
      clock.jumpTo(t);
    }
  } finally {
    clock.stopDelivering();
  }
  return true;
}

/** Reads every fix's notifications back from the database. */
export async function measureNotifications(app: App): Promise<NotifyMetrics> {
  const db = app.database.db;
  const fixes = await db
    .selectFrom('problem_updates')
    .innerJoin('problems', 'problems.id', 'problem_updates.problem_id')
    .select(['problem_updates.id as updateId', 'problem_updates.created_at as fixedAt'])
    .where('problem_updates.status', '=', 'fixed')
    .execute();
  const out: NotifyMetrics = {
    fixes: fixes.length,
    customers: 0,
    notified: 0,
    within15: 0,
    latenciesMin: [],
    notNotified: new Map(),
  };
  for (const f of fixes) {
    const rows = await db
      .selectFrom('problem_notifications')
      .select(['customer_id', 'status', 'sent_at', 'channel', 'error'])
      .where('update_id', '=', f.updateId)
      .execute();
    const byCustomer = new Map<string, typeof rows>();
    for (const r of rows)
      byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), r]);
    for (const list of byCustomer.values()) {
      out.customers++;
      const sent = list.filter((r) => r.status === 'sent' && r.sent_at !== null);
      if (sent.length === 0) {
        // The reason as the product recorded it, with numbers blanked so like groups with like.
        const r = list[0];
        const why = `${r.status}${r.channel ? ` on ${r.channel}` : ''}: ${(r.error ?? 'no error').replace(/\d+/g, '#').slice(0, 160)}`;
        out.notNotified.set(why, (out.notNotified.get(why) ?? 0) + 1);
        continue;
      }
      const first = Math.min(...sent.map((r) => Number(r.sent_at)));
      const latency = (first - Number(f.fixedAt)) / MIN;
      out.notified++;
      out.latenciesMin.push(latency);
      if (latency <= 15) out.within15++;
    }
  }
  return out;
}

export function formatNotify(m: NotifyMetrics): string {
  // Counts beside the share: 2 customers of 14,610 round to "100.0 %", and the target is all of them.
  const pct = (x: number) => `${x} (${((100 * x) / Math.max(1, m.customers)).toFixed(2)} %)`;
  const lines = [
    `notifications after ${m.fixes} fixes: ${m.customers} linked customers (summed over fixes), notified ${pct(m.notified)}, within 15 min ${pct(m.within15)}; latency median ${quantile(m.latenciesMin, 0.5).toFixed(2)} min, p90 ${quantile(m.latenciesMin, 0.9).toFixed(2)} min, max ${Math.max(0, ...m.latenciesMin).toFixed(2)} min`,
  ];
  for (const [why, n] of [...m.notNotified].sort((a, b) => b[1] - a[1]))
    lines.push(`  not notified: ${n} × ${why}`);
  return lines.join('\n');
}
