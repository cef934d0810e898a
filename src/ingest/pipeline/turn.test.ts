import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../platform/db/database.js';
import { aWorker, drainInProcess, grouping, signal, withLoggedTwins } from './test-fixtures.js';

/** Two nodes on one PostgreSQL database take the pipeline in turns (turn-lock.ts). */
describe('pipeline order across nodes on postgres', () => {
  it('a second node waits for the batch in flight instead of running ahead of it', () =>
    withLoggedTwins('postgres', async (shared, clean) => {
      // Node A stops inside its first batch, its events claimed and nothing committed.
      const atThread = signal();
      const gate = signal();
      let held = false;
      const a = await aWorker(shared.database, async (name) => {
        if (name !== 'thread' || held) return;
        held = true;
        atThread.fire();
        await gate.reached;
      });
      // Node B has its own connections to the same database.
      const nodeB = openDatabase(shared.url);
      try {
        const b = await aWorker(nodeB);
        const first = a.runOnce();
        await atThread.reached;
        let bDone = false;
        const second = b.runOnce().then((n) => {
          bDone = true;
          return n;
        });
        // B may not finish a batch while A's earlier one is open; let A go after a second (or
        // as soon as B finished, which is the fault this test exists for).
        await Promise.race([second, new Promise((r) => setTimeout(r, 1000))]);
        const ranAhead = bDone;
        gate.fire();
        expect(await first).toBe(50);
        expect(await second).toBe(50);
        expect(ranAhead).toBe(false);
        await b.drain();
      } finally {
        await nodeB.close();
      }
      await drainInProcess(clean.database);
      expect(await grouping(shared.database)).toEqual(await grouping(clean.database));
    }));

  it('a node stalled inside a batch loses the turn, and its batch is taken again elsewhere', () =>
    withLoggedTwins('postgres', async (shared, clean, msgs) => {
      // Node A hangs for 9 s inside its first batch (a frozen process, a lost network), with a
      // 1.5 s stall limit; its connection stays open. Its own pool reports connections the
      // server ends.
      const atThread = signal();
      let hung = false;
      const ended: Error[] = [];
      const nodeA = openDatabase(shared.url, { onConnectionError: (err) => ended.push(err) });
      const a = await aWorker(
        nodeA,
        async (name) => {
          if (name !== 'thread' || hung) return;
          hung = true;
          atThread.fire();
          await new Promise((r) => setTimeout(r, 9000));
        },
        1500,
      );
      const nodeB = openDatabase(shared.url);
      try {
        const b = await aWorker(nodeB);
        const first = a.runOnce();
        await atThread.reached;
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
    }));
});
