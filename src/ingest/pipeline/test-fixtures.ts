/**
 * The pipeline's crash and multi-node tests' shared world: one short conversation traffic, a
 * worker with small batches, twin databases holding the same log (one to test, one drained
 * cleanly to compare with), and the grouping of messages into cases to compare.
 */
import { aMessage } from '../../../test/builders.js';
import { type Engine, freshDatabase } from '../../../test/support/engines.js';
import type { Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { classify } from '../../triage/index.js';
import { ensureWorkspace } from '../../workspace/workspace.service.js';
import { appendInbound } from '../inbound.log.js';
import type { InboundMessage } from '../inbound.schema.js';
import { PipelineWorker } from './worker.js';

/** 40 customers, each with a short conversation, 200 messages in all, in event-time order. */
export function traffic(): InboundMessage[] {
  const out: InboundMessage[] = [];
  const base = Date.UTC(2026, 10, 3, 8);
  for (let round = 0; round < 5; round++) {
    for (let c = 0; c < 40; c++) {
      const prev = out.find(
        (m) => m.author.id === `crash-c${c}` && round > 0 && m.externalId.endsWith(`-${round - 1}`),
      );
      out.push(
        aMessage({
          externalId: `crash-${c}-${round}`,
          author: { id: `crash-c${c}`, name: `C${c}` },
          text: `message ${round} from customer ${c}: the internet is still down`,
          sentAt: new Date(base + (round * 40 + c) * 60_000).toISOString(),
          inReplyTo: prev?.externalId,
        }),
      );
    }
  }
  return out;
}

export async function aWorker(
  database: Database,
  afterStage?: (name: string) => Promise<void>,
  stallMs?: number,
) {
  const ws = await ensureWorkspace(database.db);
  return new PipelineWorker({
    database,
    settings: {
      workspaceId: ws.workspaceId,
      threadWindowMs: 3_600_000,
      reopenWindowMs: 86_400_000,
      defaultQueueId: ws.defaultQueueId,
    },
    batchSize: 50,
    maxAttempts: 5,
    classify,
    afterStage,
    stallMs,
  });
}

export async function drainInProcess(database: Database) {
  await (await aWorker(database)).drain();
}

/** The grouping of messages into cases, independent of generated ids. */
export async function grouping(database: Database) {
  const rows = await database.db
    .selectFrom('messages')
    .select(['external_id', 'case_id'])
    .orderBy('external_id')
    .execute();
  const firstOfCase = new Map<string, string>();
  for (const r of rows)
    if (r.case_id && !firstOfCase.has(r.case_id)) firstOfCase.set(r.case_id, r.external_id);
  return rows.map((r) => `${r.external_id}→${r.case_id ? firstOfCase.get(r.case_id) : '-'}`);
}

type Fresh = Awaited<ReturnType<typeof freshDatabase>>;

/**
 * Two fresh databases on `engine` with the same traffic logged: `tested` for the test to work
 * on, `clean` to be drained undisturbed and compared with. Both are removed afterwards.
 */
export async function withLoggedTwins(
  engine: Engine,
  fn: (tested: Fresh, clean: Fresh, msgs: InboundMessage[]) => Promise<void>,
): Promise<void> {
  const msgs = traffic();
  const tested = await freshDatabase(engine);
  const clean = await freshDatabase(engine);
  try {
    for (const db of [tested, clean]) {
      await migrateToLatest(db.database);
      const ws = await ensureWorkspace(db.database.db);
      await appendInbound(db.database.db, ws.workspaceId, msgs, Date.now());
    }
    await fn(tested, clean, msgs);
  } finally {
    await tested.cleanup();
    await clean.cleanup();
  }
}

/** A promise and the function that resolves it (a test's "this point was reached"). */
export function signal(): { reached: Promise<void>; fire: () => void } {
  let fire: () => void = () => {};
  const reached = new Promise<void>((r) => {
    fire = r;
  });
  return { reached, fire };
}
