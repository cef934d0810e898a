import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import { type DetectorInput, STREAM_COLUMNS } from './detector-input.js';
import { idAt } from './leader.js';

/** How far back (wall time) a catch-up scan looks again for transactions that committed late. */
const SCAN_LAG_MS = 10_000;

/**
 * On a shared database the leader also reads the messages other nodes stored since its last
 * look (ids are time-ordered by the wall clock of the node that made them; the lag covers
 * transactions that committed late). Each message is observed once.
 */
export class PeerScan {
  /** Refs already observed (by wall time seen), and where the next scan starts. */
  private readonly seen = new Map<string, number>();
  private scanFrom = 0;
  private lastId = '';
  private lastLagScan = 0;

  /** A fresh detector: start scanning from now (its warm-up read the past). */
  restart(): void {
    this.seen.clear();
    this.scanFrom = Date.now();
    this.lastId = idAt(this.scanFrom);
    this.lastLagScan = this.scanFrom;
  }

  /** Stored messages not yet observed, oldest first; `own` are this node's batch (seen now). */
  async read(trx: Kysely<DB>, ws: string, own: DetectorInput[]): Promise<DetectorInput[]> {
    const inputs: DetectorInput[] = [];
    const wall = Date.now();
    // New rows since the last one seen, each read once (light columns); every few seconds
    // the recent past again, for transactions that committed after a newer one was seen.
    const lagScan = wall - this.lastLagScan >= SCAN_LAG_MS / 2;
    const from = lagScan ? idAt(this.scanFrom - SCAN_LAG_MS) : this.lastId;
    const light = await trx
      .selectFrom('messages')
      .select(['id', 'channel', 'external_id'])
      .where('workspace_id', '=', ws)
      .where('direction', '=', 'in')
      .where('id', '>', from)
      .orderBy('id')
      .limit(50_000)
      .execute();
    if (lagScan) {
      this.lastLagScan = wall;
      this.scanFrom = wall;
    }
    const unseen: string[] = [];
    for (const r of light) {
      if (r.id > this.lastId) this.lastId = r.id;
      const ref = `${r.channel}\u0000${r.external_id}`;
      if (this.seen.has(ref)) continue;
      this.seen.set(ref, wall);
      unseen.push(r.id);
    }
    for (let i = 0; i < unseen.length; i += 1000) {
      const stored = await trx
        .selectFrom('messages')
        .select(STREAM_COLUMNS)
        .where('id', 'in', unseen.slice(i, i + 1000))
        .execute();
      for (const r of stored) {
        if (!r.customer_id || !r.triage_json) continue;
        inputs.push({
          ref: `${r.channel}\u0000${r.external_id}`,
          channel: r.channel,
          externalId: r.external_id,
          at: r.sent_at,
          customerId: r.customer_id,
          caseId: r.case_id,
          address: r.author_address,
          triage: JSON.parse(r.triage_json) as TriageResult,
          text: r.text,
          reopened: false,
          queueId: null,
        });
      }
    }
    inputs.sort((a, b) => a.at - b.at);
    for (const i of own) this.seen.set(i.ref, wall);
    for (const [ref, t] of this.seen) {
      if (wall - t <= 3 * SCAN_LAG_MS) break;
      this.seen.delete(ref);
    }
    return inputs;
  }
}
