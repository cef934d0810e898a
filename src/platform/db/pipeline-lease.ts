import type { Kysely } from 'kysely';
import { newId } from '../ids.js';
import type { DB } from './schema.js';

const NAME = 'pipeline';
const BEAT_MS = 5_000;
/** A lease not renewed for this long belongs to a process that is gone. */
export const LEASE_STALE_MS = 20_000;

/**
 * Says, every few seconds, that this process runs a live pipeline on the database. One-shot
 * commands (`throughline replay`) look for it: beside a running server they append to the
 * inbound log and let the server's pipeline and detector take the events, rather than running a
 * second pipeline and detector over the same cases (on SQLite nothing else keeps two processes
 * from detecting twice, and each would see only part of the traffic).
 */
export class PipelineLease {
  private readonly holder = newId();
  private timer: NodeJS.Timeout | null = null;

  // Wall time, not the app's clock: the lease is about processes alive now.
  constructor(private readonly db: Kysely<DB>) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch(() => {});
    }, BEAT_MS);
    this.timer.unref();
  }

  /**
   * Takes the lease only if no live pipeline holds it (atomically: of two one-shot commands
   * starting together, one runs the pipeline and the other hands its events to it), and then
   * renews it like `start`. Returns whether this process holds it now.
   */
  async tryStart(): Promise<boolean> {
    if (this.timer) return true;
    const now = Date.now();
    // Read first: while a server's pipeline holds the lease (the usual answer, asked every
    // quarter second by a waiting replay), nothing is written. On SQLite a write would queue
    // behind the server's batches and could time out with "database is locked".
    const held = await this.holderRow();
    if (held && held.holder !== this.holder && Number(held.heartbeat_at) >= now - LEASE_STALE_MS)
      return false;
    try {
      await this.db
        .insertInto('node_leases')
        .values({ name: NAME, holder: this.holder, heartbeat_at: now })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder: this.holder, heartbeat_at: now })
            .where('node_leases.heartbeat_at', '<', now - LEASE_STALE_MS),
        )
        .execute();
    } catch (err) {
      // Another process is writing for longer than the busy timeout: not now.
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw err;
    }
    if ((await this.holderRow())?.holder !== this.holder) return false;
    await this.start();
    return true;
  }

  private holderRow() {
    return this.db
      .selectFrom('node_leases')
      .select(['holder', 'heartbeat_at'])
      .where('name', '=', NAME)
      .executeTakeFirst();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.db
      .deleteFrom('node_leases')
      .where('name', '=', NAME)
      .where('holder', '=', this.holder)
      .execute()
      .catch(() => {});
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('node_leases')
      .values({ name: NAME, holder: this.holder, heartbeat_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder: this.holder, heartbeat_at: now }))
      .execute();
  }
}

/** Whether a live pipeline (a running server or replay) renewed its lease recently. */
export async function livePipeline(db: Kysely<DB>, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('node_leases')
    .select('heartbeat_at')
    .where('name', '=', NAME)
    .executeTakeFirst();
  return !!row && now - Number(row.heartbeat_at) < LEASE_STALE_MS;
}
