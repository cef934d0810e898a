import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { audit } from '../platform/audit/audit.js';
import type { DB } from '../platform/db/schema.js';
import { eraseCustomer } from './erase.js';
import { scrubCases } from './scrub.js';

const DAY = 86_400_000;
/** Cases per transaction: short write transactions, so the pipeline is never held up for long. */
const BATCH = 200;
/** Batches per run; the next run (an hour later) goes on where this one stopped. */
const MAX_BATCHES = 50;

export interface RetentionDeps {
  db: Kysely<DB>;
  workspaceId: string;
  /** THROUGHLINE_RETENTION_DAYS; 0 = off. */
  days: number;
  clock: () => number;
  logger?: Logger;
  intervalMs?: number;
}

/**
 * Retention: the personal data of cases closed more than `days` ago is erased as a data-subject
 * erasure would (`scrubCases`), and a customer whose every case has been erased this way is erased
 * too (name, identities, …: `eraseCustomer`). Off by default. Safe on several nodes at once: each
 * step skips what is already erased, and each batch is one transaction.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  constructor(private readonly deps: RetentionDeps) {}

  get enabled() {
    return this.deps.days > 0;
  }

  start() {
    if (!this.enabled || this.timer) return;
    const every = this.deps.intervalMs ?? 3_600_000;
    const tick = () => {
      // A run that outlasts the interval is not joined by a second one.
      if (this.running) return;
      this.running = this.run(this.deps.clock())
        .catch((err: Error) =>
          this.deps.logger?.error({ err: err.message }, 'retention run failed'),
        )
        .finally(() => {
          this.running = null;
        });
    };
    // First run shortly after start, then hourly.
    this.timer = setInterval(tick, every);
    this.timer.unref();
    this.first = setTimeout(tick, 5_000);
    this.first.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.timer = null;
    this.first = null;
    await this.running;
  }

  /** One pass at time `now`; returns how many cases and customers it erased. */
  async run(now: number): Promise<{ cases: number; customers: number }> {
    if (!this.enabled) return { cases: 0, customers: 0 };
    const { db, workspaceId } = this.deps;
    const cutoff = now - this.deps.days * DAY;
    let cases = 0;
    const touched = new Set<string>();
    for (let i = 0; i < MAX_BATCHES; i++) {
      const due = await db
        .selectFrom('cases')
        .select(['id', 'customer_id'])
        .where('closed_at', '<', cutoff)
        .where('status', '=', 'closed')
        .where('erased_at', 'is', null)
        .where('workspace_id', '=', workspaceId)
        .orderBy('closed_at')
        .limit(BATCH)
        .execute();
      if (due.length === 0) break;
      await db.transaction().execute((trx) =>
        scrubCases(
          trx,
          workspaceId,
          due.map((c) => c.id),
          now,
        ),
      );
      for (const c of due) touched.add(c.customer_id);
      cases += due.length;
    }
    let customers = 0;
    for (const customerId of touched) {
      const live = await db
        .selectFrom('cases')
        .select('id')
        .where('customer_id', '=', customerId)
        .where('erased_at', 'is', null)
        .executeTakeFirst();
      if (live) continue;
      const row = await db
        .selectFrom('customers')
        .select(['erased_at', 'merged_into'])
        .where('id', '=', customerId)
        .executeTakeFirst();
      if (!row || row.erased_at || row.merged_into) continue;
      await eraseCustomer(db, workspaceId, customerId, { type: 'system', id: 'retention' }, now);
      customers++;
    }
    if (cases > 0) {
      await audit(db, {
        workspaceId,
        actor: { type: 'system', id: 'retention' },
        action: 'retention.erased',
        data: { days: this.deps.days, cases, customers },
        at: now,
      });
      this.deps.logger?.info({ cases, customers }, 'retention erased closed cases past the period');
    }
    return { cases, customers };
  }
}
