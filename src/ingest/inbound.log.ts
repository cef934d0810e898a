import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import { inboundNulProblem, scrubInbound } from './inbound.nul.js';
import type { InboundMessage } from './inbound.schema.js';

export interface AppendResult {
  /** One entry per input message, in input order. */
  results: { channel: string; externalId: string; status: 'accepted' | 'duplicate' }[];
  accepted: number;
  duplicates: number;
}

/**
 * Writes inbound messages to the inbound log. The unique key (workspace, channel, external id)
 * makes a re-delivery a no-op; the caller acknowledges only after this resolves, i.e. after its
 * rows are committed.
 *
 * Group commit: appends to the same database that arrive while another append is being written
 * (concurrent HTTP intake and channel webhooks) are written together in the next transaction,
 * one commit (one fsync) for all of them. An append that finds the log idle is written at the
 * next turn of the event loop, so an idle log adds no wait. Each caller still gets exactly its
 * own results, as if the appends had run one after the other; if a shared transaction fails,
 * its appends are retried one by one so that one caller's bad rows fail only that caller.
 * Inside a caller's transaction (`db` is a transaction) the rows are written there directly.
 */
export function appendInbound(
  db: Kysely<DB>,
  workspaceId: string,
  messages: InboundMessage[],
  receivedAt: number,
  opts: AppendOptions = {},
): Promise<AppendResult> {
  if (messages.length === 0) return Promise.resolve({ results: [], accepted: 0, duplicates: 0 });
  // Every intake path passes here: customer text with a NUL is kept (U+FFFD), an identifier with
  // one is refused before anything is written (src/ingest/inbound.nul.ts says why).
  for (let i = 0; i < messages.length; i++) {
    const problem = inboundNulProblem(messages[i]);
    if (problem) return Promise.reject(badRequest(`message ${i}: ${problem}`));
  }
  messages = messages.map(scrubInbound);
  const history = opts.history === true;
  if (db.isTransaction) return insertInbound(db, workspaceId, messages, receivedAt, history);
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groups.set(db, group);
  }
  return group.append({ workspaceId, messages, receivedAt, history });
}

export interface AppendOptions {
  /**
   * History (`throughline import`): past conversations, recorded as resolved cases with no SLA
   * clocks, queue or assignment (`inbound_events.history`, migration 0022).
   */
  history?: boolean;
}

interface Append {
  workspaceId: string;
  messages: InboundMessage[];
  receivedAt: number;
  history: boolean;
}

interface Waiting extends Append {
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

const groups = new WeakMap<Kysely<DB>, GroupCommit>();

/** Rows per shared transaction; a waiting append beyond it goes into the next one. */
const GROUP_ROWS = 5000;

class GroupCommit {
  private queue: Waiting[] = [];
  private writing = false;

  constructor(private readonly db: Kysely<DB>) {}

  append(a: Append): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...a, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let rows = 0;
      let n = 0;
      while (
        n < this.queue.length &&
        (n === 0 || rows + this.queue[n].messages.length <= GROUP_ROWS)
      ) {
        rows += this.queue[n].messages.length;
        n++;
      }
      const group = this.queue.splice(0, n);
      await this.write(group);
    }
    this.writing = false;
  }

  private async write(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [w] = group;
      await insertInbound(this.db, w.workspaceId, w.messages, w.receivedAt, w.history).then(
        w.resolve,
        w.reject,
      );
      return;
    }
    let results: AppendResult[];
    try {
      results = await this.db.transaction().execute(async (trx) => {
        const out: AppendResult[] = [];
        for (const w of group) {
          out.push(await insertInbound(trx, w.workspaceId, w.messages, w.receivedAt, w.history));
        }
        return out;
      });
    } catch {
      // Nothing of the group was committed: each append on its own, so only a bad one fails.
      for (const w of group) {
        await insertInbound(this.db, w.workspaceId, w.messages, w.receivedAt, w.history).then(
          w.resolve,
          w.reject,
        );
      }
      return;
    }
    for (let i = 0; i < group.length; i++) group[i].resolve(results[i]);
  }
}

/** One caller's rows, in one statement per thousand (one transaction when `db` is not one). */
async function insertInbound(
  db: Kysely<DB>,
  workspaceId: string,
  messages: InboundMessage[],
  receivedAt: number,
  history: boolean,
): Promise<AppendResult> {
  const rows = messages.map((m) => {
    // The event time the pipeline's normalise stage will read: SLA deadlines wait while an
    // unprocessed event lies before them (scheduler.ts, `hold_from`).
    const sentAt = Date.parse(m.sentAt);
    return {
      workspace_id: workspaceId,
      channel: m.channel,
      external_id: m.externalId,
      received_at: receivedAt,
      payload_json: JSON.stringify(m),
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: receivedAt,
      sent_at: Number.isFinite(sentAt) ? sentAt : null,
      history: history ? 1 : 0,
    };
  });
  const inserted = new Set<string>();
  // Chunked to stay under the engines' bound-parameter limits (10 columns a row).
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const out = await db
      .insertInto('inbound_events')
      .values(chunk)
      .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'external_id']).doNothing())
      .returning(['channel', 'external_id'])
      .execute();
    for (const r of out) inserted.add(`${r.channel}\u0000${r.external_id}`);
  }
  const results: AppendResult['results'] = [];
  let accepted = 0;
  for (const m of messages) {
    const key = `${m.channel}\u0000${m.externalId}`;
    // The first occurrence of a key within one request is the accepted one; repeats are duplicates.
    if (inserted.delete(key)) {
      accepted++;
      results.push({ channel: m.channel, externalId: m.externalId, status: 'accepted' });
    } else {
      results.push({ channel: m.channel, externalId: m.externalId, status: 'duplicate' });
    }
  }
  return { results, accepted, duplicates: messages.length - accepted };
}
