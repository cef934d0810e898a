import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import { type DetectorInput, STREAM_COLUMNS } from './detector-input.js';

/** Backlog rows one look takes (the rest wait for the next look). */
const READ_LIMIT = 50_000;

/** An inbound message a node's pipeline stored while another node held the detector. */
export interface HeldMessage {
  channel: string;
  externalId: string;
  seq: number;
  at: number;
  reopened: boolean;
}

const refOf = (channel: string, externalId: string) => `${channel}\u0000${externalId}`;

/**
 * On a shared database only the leader detects. A node that is not the leader records the
 * messages of its batch in `detector_backlog`, in the batch's transaction; the leader reads and
 * deletes them in the transaction that records its decisions about them. The hand-over is
 * durable and exactly once: whoever detects next (the same leader on its next batch or timed
 * catch-up, a node taking over, a node starting) finds what nobody has seen yet, and a rebuilt
 * detector leaves those messages out of its silent warm-up, so they are still decided on.
 *
 * Replaced a scan of `messages` by id (wall time of the writing node) since the leader's last
 * look, which began at "now" whenever a detector was built: what another node stored before a
 * takeover, or after the leader's last look before it stopped, was never decided on.
 */
export class PeerScan {
  /** Records the batch's messages for the detecting node (this node is not it). */
  async hold(trx: Kysely<DB>, ws: string, held: HeldMessage[]): Promise<void> {
    for (let i = 0; i < held.length; i += 500) {
      await trx
        .insertInto('detector_backlog')
        .values(
          held.slice(i, i + 500).map((h) => ({
            workspace_id: ws,
            channel: h.channel,
            external_id: h.externalId,
            seq: h.seq,
            sent_at: h.at,
            reopened: h.reopened ? 1 : 0,
          })),
        )
        .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'external_id']).doNothing())
        .execute();
    }
  }

  /**
   * What is waiting (refs, and the latest event time): a rebuilt detector leaves these out of
   * its warm-up and warms up to their time.
   */
  async waiting(
    trx: Kysely<DB>,
    ws: string,
  ): Promise<{ refs: Set<string>; latest: number | null }> {
    const rows = await trx
      .selectFrom('detector_backlog')
      .select(['channel', 'external_id', 'sent_at'])
      .where('workspace_id', '=', ws)
      .execute();
    let latest: number | null = null;
    const refs = new Set<string>();
    for (const r of rows) {
      refs.add(refOf(r.channel, r.external_id));
      const at = Number(r.sent_at);
      if (latest === null || at > latest) latest = at;
    }
    return { refs, latest };
  }

  /** Stored messages other nodes held for the detector, oldest first; taken off the backlog. */
  async read(trx: Kysely<DB>, ws: string): Promise<DetectorInput[]> {
    // Claimed by deleting them (the oldest first): a second transaction reading at the same
    // time (a catch-up beside a batch on PostgreSQL) waits on the rows and gets none of them
    // back, so no held message is observed twice. A rollback puts them back.
    const held = await trx
      .deleteFrom('detector_backlog')
      .where('workspace_id', '=', ws)
      .where((eb) =>
        eb(
          eb.refTuple('channel', 'external_id'),
          'in',
          eb
            .selectFrom('detector_backlog as b')
            .select(['b.channel', 'b.external_id'])
            .where('b.workspace_id', '=', ws)
            .orderBy('b.seq')
            .limit(READ_LIMIT)
            .$asTuple('channel', 'external_id'),
        ),
      )
      .returning(['channel', 'external_id', 'reopened'])
      .execute();
    const reopened = new Set(
      held.filter((h) => Number(h.reopened) === 1).map((h) => refOf(h.channel, h.external_id)),
    );
    const inputs: DetectorInput[] = [];
    for (let i = 0; i < held.length; i += 500) {
      const part = held.slice(i, i + 500);
      const stored = await trx
        .selectFrom('messages')
        .select(STREAM_COLUMNS)
        .where('workspace_id', '=', ws)
        .where((eb) =>
          eb.or(
            part.map((h) =>
              eb.and([eb('channel', '=', h.channel), eb('external_id', '=', h.external_id)]),
            ),
          ),
        )
        .execute();
      for (const r of stored) {
        if (!r.customer_id || !r.triage_json) continue;
        const ref = refOf(r.channel, r.external_id);
        inputs.push({
          ref,
          channel: r.channel,
          externalId: r.external_id,
          at: r.sent_at,
          customerId: r.customer_id,
          caseId: r.case_id,
          address: r.author_address,
          triage: JSON.parse(r.triage_json) as TriageResult,
          text: r.text,
          reopened: reopened.has(ref),
          queueId: null,
        });
      }
    }
    inputs.sort((a, b) => a.at - b.at);
    return inputs;
  }
}

/** How many messages held for the detector came from events up to `seq` (replay waits for 0). */
export async function heldUpTo(db: Kysely<DB>, ws: string, seq: number): Promise<number> {
  const row = await db
    .selectFrom('detector_backlog')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workspace_id', '=', ws)
    .where('seq', '<=', seq)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
