import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aMessage } from '../../../test/builders.js';
import { ENGINES, freshDatabase } from '../../../test/support/engines.js';
import { type Database, openDatabase } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { classify } from '../../triage/index.js';
import { ensureWorkspace } from '../../workspace/workspace.service.js';
import { appendInbound } from '../inbound.log.js';
import type { InboundMessage } from '../inbound.schema.js';
import { PipelineWorker } from './worker.js';

const CRASH_WORKER = fileURLToPath(
  new URL('../../../test/fixtures/crash-worker.ts', import.meta.url),
);

/** 40 customers, each with a short conversation, 200 messages in all, in event-time order. */
function traffic(): InboundMessage[] {
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

async function aWorker(
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

async function drainInProcess(database: Database) {
  await (await aWorker(database)).drain();
}

/** The grouping of messages into cases, independent of generated ids. */
async function grouping(database: Database) {
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

describe.each(ENGINES)('crash safety on %s', (engine) => {
  it.each(['thread', 'persist'])(
    'a worker killed after %s mid-batch is recovered with exactly-once effects',
    async (stage) => {
      const msgs = traffic();
      const crashed = await freshDatabase(engine);
      const clean = await freshDatabase(engine);
      try {
        for (const db of [crashed, clean]) {
          await migrateToLatest(db.database);
          const ws = await ensureWorkspace(db.database.db);
          await appendInbound(db.database.db, ws.workspaceId, msgs, Date.now());
        }
        const child = spawnSync(process.execPath, ['--import', 'tsx', CRASH_WORKER, crashed.url], {
          env: { ...process.env, CRASH_AT: stage, CRASH_BATCH: '3' },
          encoding: 'utf8',
          timeout: 180_000,
        });
        expect(child.signal).toBe('SIGKILL');
        expect(child.stdout).toContain(`crashing after ${stage} in batch 3`);
        // Two batches of 50 committed before the crash; the third left nothing behind.
        const done = await crashed.database.db
          .selectFrom('inbound_events')
          .select('seq')
          .where('status', '=', 'done')
          .execute();
        expect(done).toHaveLength(100);
        expect(
          await crashed.database.db.selectFrom('messages').select('id').execute(),
        ).toHaveLength(100);

        await drainInProcess(crashed.database);
        await drainInProcess(clean.database);
        const messages = await crashed.database.db
          .selectFrom('messages')
          .select('external_id')
          .execute();
        expect(messages).toHaveLength(msgs.length);
        expect(new Set(messages.map((m) => m.external_id)).size).toBe(msgs.length);
        const cases = await crashed.database.db
          .selectFrom('cases')
          .select(['id', 'message_count'])
          .execute();
        const cleanCases = await clean.database.db.selectFrom('cases').select('id').execute();
        expect(cases).toHaveLength(cleanCases.length);
        expect(cases.reduce((s, c) => s + c.message_count, 0)).toBe(msgs.length);
        expect(await grouping(crashed.database)).toEqual(await grouping(clean.database));
        const numbers = await crashed.database.db
          .selectFrom('cases')
          .select('number')
          .orderBy('number')
          .execute();
        expect(numbers.map((n) => Number(n.number))).toEqual(cleanCases.map((_, i) => i + 1));
      } finally {
        await crashed.cleanup();
        await clean.cleanup();
      }
    },
  );
});

describe('pipeline order across nodes on postgres', () => {
  it('a second node waits for the batch in flight instead of running ahead of it', async () => {
    const msgs = traffic();
    const shared = await freshDatabase('postgres');
    const clean = await freshDatabase('postgres');
    try {
      for (const db of [shared, clean]) {
        await migrateToLatest(db.database);
        const ws = await ensureWorkspace(db.database.db);
        await appendInbound(db.database.db, ws.workspaceId, msgs, Date.now());
      }
      // Node A stops inside its first batch, its events claimed and nothing committed.
      let reachedThread: () => void = () => {};
      const atThread = new Promise<void>((r) => {
        reachedThread = r;
      });
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let held = false;
      const a = await aWorker(shared.database, async (name) => {
        if (name !== 'thread' || held) return;
        held = true;
        reachedThread();
        await gate;
      });
      // Node B has its own connections to the same database.
      const nodeB = openDatabase(shared.url);
      try {
        const b = await aWorker(nodeB);
        const first = a.runOnce();
        await atThread;
        let bDone = false;
        const second = b.runOnce().then((n) => {
          bDone = true;
          return n;
        });
        // B may not finish a batch while A's earlier one is open; let A go after a second (or
        // as soon as B finished, which is the fault this test exists for).
        await Promise.race([second, new Promise((r) => setTimeout(r, 1000))]);
        const ranAhead = bDone;
        release();
        expect(await first).toBe(50);
        expect(await second).toBe(50);
        expect(ranAhead).toBe(false);
        await b.drain();
      } finally {
        await nodeB.close();
      }
      await drainInProcess(clean.database);
      expect(await grouping(shared.database)).toEqual(await grouping(clean.database));
    } finally {
      await shared.cleanup();
      await clean.cleanup();
    }
  });

  it('a node stalled inside a batch loses the turn, and its batch is taken again elsewhere', async () => {
    const msgs = traffic();
    const shared = await freshDatabase('postgres');
    const clean = await freshDatabase('postgres');
    try {
      for (const db of [shared, clean]) {
        await migrateToLatest(db.database);
        const ws = await ensureWorkspace(db.database.db);
        await appendInbound(db.database.db, ws.workspaceId, msgs, Date.now());
      }
      // Node A hangs for 9 s inside its first batch (a frozen process, a lost network), with a
      // 1.5 s stall limit; its connection stays open.
      let reached: () => void = () => {};
      const atThread = new Promise<void>((r) => {
        reached = r;
      });
      let hung = false;
      // Its own pool, which reports connections the server ends.
      const ended: Error[] = [];
      const nodeA = openDatabase(shared.url, { onConnectionError: (err) => ended.push(err) });
      const a = await aWorker(
        nodeA,
        async (name) => {
          if (name !== 'thread' || hung) return;
          hung = true;
          reached();
          await new Promise((r) => setTimeout(r, 9000));
        },
        1500,
      );
      const nodeB = openDatabase(shared.url);
      try {
        const b = await aWorker(nodeB);
        const first = a.runOnce();
        await atThread;
        const started = Date.now();
        // B gets the turn once the server ended A's transaction, and takes A's events first.
        expect(await b.runOnce()).toBe(50);
        // Well before A wakes up (1.5 s limit; the margin is for a loaded machine).
        expect(Date.now() - started).toBeLessThan(7500);
        const seqs = await shared.database.db
          .selectFrom('inbound_events')
          .select(['seq', 'status'])
          .orderBy('seq')
          .execute();
        // The log's first 50 events are the ones done: A's batch, not the next one.
        expect(seqs.slice(0, 50).every((r) => r.status === 'done')).toBe(true);
        expect(seqs.slice(50).every((r) => r.status === 'pending')).toBe(true);
        // A's batch failed with its connection (reported, not thrown as an uncaught error);
        // retried one by one, its events are done already.
        await first;
        expect(ended.map((e) => e.message).join()).toContain('idle-in-transaction');
        await b.drain();
      } finally {
        await nodeB.close();
        await nodeA.close();
      }
      await drainInProcess(clean.database);
      expect(await grouping(shared.database)).toEqual(await grouping(clean.database));
      expect(await shared.database.db.selectFrom('messages').select('id').execute()).toHaveLength(
        msgs.length,
      );
    } finally {
      await shared.cleanup();
      await clean.cleanup();
    }
  });
});
