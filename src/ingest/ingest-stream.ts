import type { Database } from '../platform/db/database.js';
import type { Progress } from '../platform/progress.js';
import { type AppendResult, appendInbound } from './inbound.log.js';
import type { InboundMessage } from './inbound.schema.js';
import { FUTURE_SKEW_MS } from './inbound.time.js';
import type { PipelineWorker } from './pipeline/worker.js';

export interface IngestStreamOptions {
  database: Database;
  workspaceId: string;
  /** Drained after every chunk; without one, a running server's pipeline takes the events. */
  pipeline?: PipelineWorker;
  clock?: () => number;
  progress?: Progress;
  /**
   * Replay pacing: `max` for as fast as possible, or a factor of event time (60 = one hour of
   * history per minute). Events must arrive in event-time order for pacing to mean anything.
   */
  speed?: 'max' | number;
  chunk?: number;
  /**
   * Leave out messages dated after the wall clock (beyond `FUTURE_SKEW_MS`) when they are due:
   * a command's history must not move a live desk's event time ahead of now (every open
   * problem and clock would age at once). Counted in `future`.
   */
  skipFuture?: boolean;
  /** Log the messages as history (`import`): resolved cases, no SLA clocks (`AppendOptions`). */
  history?: boolean;
  /**
   * After each chunk is logged, with its messages and what the log made of each (`replay` tells
   * a duplicate that says something else from a re-delivery).
   */
  afterAppend?: (chunk: InboundMessage[], res: AppendResult) => Promise<void>;
}

/**
 * Feeds messages through the same inbound log and pipeline as live traffic (used by import,
 * replay and the demo loader), so imported history behaves exactly like the live stream.
 */
export async function ingestStream(
  messages: AsyncIterable<InboundMessage> | Iterable<InboundMessage>,
  opts: IngestStreamOptions,
): Promise<{ accepted: number; duplicates: number; future: number }> {
  const clock = opts.clock ?? Date.now;
  const chunkSize = opts.chunk ?? 1000;
  const speed = opts.speed ?? 'max';
  let buf: InboundMessage[] = [];
  let accepted = 0;
  let duplicates = 0;
  let future = 0;
  let firstEvent: number | null = null;
  const wallStart = Date.now();

  const flush = async () => {
    if (buf.length === 0) return;
    const res = await appendPatiently(() =>
      appendInbound(opts.database.db, opts.workspaceId, buf, clock(), { history: opts.history }),
    );
    accepted += res.accepted;
    duplicates += res.duplicates;
    await opts.afterAppend?.(buf, res);
    await opts.pipeline?.drain();
    opts.progress?.add(buf.length);
    buf = [];
  };

  for await (const m of messages) {
    if (speed !== 'max') {
      const t = Date.parse(m.sentAt);
      firstEvent ??= t;
      const due = wallStart + (t - firstEvent) / speed;
      const wait = due - Date.now();
      if (wait > 0) {
        await flush();
        await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
      }
    }
    if (opts.skipFuture && Date.parse(m.sentAt) > Date.now() + FUTURE_SKEW_MS) {
      future++;
      continue;
    }
    buf.push(m);
    if (buf.length >= chunkSize) await flush();
  }
  await flush();
  return { accepted, duplicates, future };
}

/**
 * A command's append waits out another process's write lock: beside a running pipeline on the
 * same SQLite file (a server, another replay) a batch can hold it longer than the busy timeout
 * on a loaded machine, and the whole replay failed with "database is locked". Appends are
 * idempotent (a re-delivered key is acknowledged once), so trying again is safe; the intake's
 * other paths (HTTP, webhooks) answer the sender, who retries.
 */
async function appendPatiently<T>(append: () => Promise<T>, patienceMs = 120_000): Promise<T> {
  const until = Date.now() + patienceMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await append();
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      const busy = typeof code === 'string' && code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() + wait > until) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
