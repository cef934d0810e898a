/**
 * Real customer text as background traffic: the telecom threads of the Kaggle "Customer Support
 * on Twitter" head in ../shared/data/twcs, read at run time (never copied into the repository)
 * through the product's own twcs importer, then re-timed into the simulated window.
 *
 * Each simulated week replays every thread once, starting at a time drawn from the daily rhythm
 * (seeded), with the real gaps between its tweets kept but capped at six hours so a thread stays
 * inside its week. Ids are made unique per seed and week. These messages belong to no incident:
 * whatever triage decides about them, linking one to a problem is a wrong link, and a problem
 * made mostly of them is a false problem (see metrics.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTwcs } from '../../src/import/twcs.js';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { hashSeed, Rng } from '../../src/simulate/prng.js';
import { RHYTHM_MAX, rhythm } from '../../src/simulate/rhythm.js';

const FILE = new URL(
  '../../../shared/data/twcs/twcs_first5000_telecom_threads.csv',
  import.meta.url,
);
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const MAX_GAP = 6 * HOUR;
/** The rhythm of US Central time, the middle of the simulated customer base. */
const UTC_OFFSET = -6;

export interface RealThreads {
  file: string;
  /** Each thread's messages in pipeline order (parents first). */
  threads: InboundMessage[][];
  customerMessages: number;
}

/** The telecom threads, or a reason to run without them. */
export async function loadRealThreads(): Promise<RealThreads | { skip: string }> {
  const file = fileURLToPath(FILE);
  if (!existsSync(file)) return { skip: `${file} not found (shared data absent)` };
  const imp = await loadTwcs(file);
  const byThread = new Map<string, InboundMessage[]>();
  for (const m of imp.messages) {
    const thread = imp.threads.threadOf.get(m.externalId) ?? m.externalId;
    const list = byThread.get(thread) ?? [];
    // The verbatim CSV record is not needed here; the text and links are.
    const { raw: _record, ...message } = m;
    list.push(message);
    byThread.set(thread, list);
  }
  const threads = [...byThread.values()];
  const customerMessages = imp.messages.filter((m) => m.direction === 'in').length;
  return { file, threads, customerMessages };
}

export interface PlacedMessage {
  at: number;
  message: InboundMessage;
}

/**
 * The threads placed into [windowStart, windowStart + days), once per simulated week, sorted by
 * event time (parents keep coming before their replies: the capped gaps are never negative).
 */
export function placeRealThreads(
  real: RealThreads,
  seed: number,
  windowStart: number,
  days: number,
): PlacedMessage[] {
  const rng = new Rng(hashSeed('twcs-background', seed));
  const out: PlacedMessage[] = [];
  const weeks = Math.floor(days / 7);
  let order = 0;
  for (let w = 0; w < weeks; w++) {
    const tag = `tw${seed}w${w}`;
    for (const thread of real.threads) {
      // Rejection sampling on the rhythm; the latest start leaves a day for the thread.
      let t0 = 0;
      do t0 = windowStart + w * WEEK + rng.next() * (WEEK - 24 * HOUR);
      while (rng.next() * RHYTHM_MAX > rhythm(t0, UTC_OFFSET));
      let t = t0;
      let prev = Date.parse(thread[0].sentAt);
      for (const m of thread) {
        const sent = Date.parse(m.sentAt);
        t += Math.min(MAX_GAP, Math.max(0, sent - prev));
        prev = Math.max(prev, sent);
        const message: InboundMessage = {
          ...m,
          externalId: `${tag}-${m.externalId}`,
          sentAt: new Date(t).toISOString(),
        };
        if (m.inReplyTo) message.inReplyTo = `${tag}-${m.inReplyTo}`;
        out.push({ at: t + order++ * 1e-6, message });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
