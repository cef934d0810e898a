import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { feed, scenarioMessages, startNode } from '../../test/support/nodes.js';
import type { App } from '../app.js';

/*
 * A PostgreSQL deployment with a node that serves only the API (workers off) beside one that
 * runs the pipeline. Care core's events (an SLA breach) reach the API node too; it must not
 * become the detector through them, or the pipeline node's messages, held for the detector,
 * would never be read and nothing would be detected.
 */
describe('an API-only node on a shared PostgreSQL database', () => {
  const apps: App[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const a of apps.reverse()) await a.close().catch(() => {});
    for (const c of cleanups) await c();
  });

  it('does not take detection over through a process signal', async () => {
    const messages = scenarioMessages('demo', 3);
    const now = Date.parse(messages[messages.length - 1].sentAt);
    const clock = () => now;
    const db = await freshDatabaseUrl('postgres');
    cleanups.push(db.cleanup);
    const api = await startNode(db.url, clock);
    apps.push(api);
    const worker = await startNode(db.url, clock);
    apps.push(worker);
    api.bus.publish({
      type: 'sla.breached',
      workspaceId: api.workspace.workspaceId,
      data: { caseId: 'c-1', clock: 'resolution', dueAt: new Date(now).toISOString() },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(api.problems.leadership.isLeader).toBe(false);
    await feed(worker, messages, clock);
    await worker.problems.runtime.catchUp(worker.database.db, now);
    const held = await worker.database.db
      .selectFrom('detector_backlog')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(held.n)).toBe(0);
    const titles = (await worker.database.db.selectFrom('problems').select('title').execute()).map(
      (p) => p.title,
    );
    expect(titles.join(' | ')).toMatch(/San Francisco/);
  }, 120_000);

  it('a node that runs the workers takes a signal when no node detects yet', async () => {
    // Just after a start its catch-up has not run (every 2 s): an overdue breach then must not
    // be dropped for want of a detector.
    const now = Date.parse('2025-03-03T12:00:00Z');
    const db = await freshDatabaseUrl('postgres');
    cleanups.push(db.cleanup);
    const node = await startNode(db.url, () => now);
    apps.push(node);
    const signal = {
      ref: 'sla_breach:c-1:resolution',
      kind: 'sla_breach' as const,
      teamId: 'unassigned',
      at: now - 60_000,
      customerId: 'cu-1',
      caseId: null,
    };
    await node.problems.runtime.observeProcess(node.database.db, now, [signal]);
    expect(node.problems.leadership.isLeader).toBe(false);
    node.problems.start();
    await node.problems.runtime.observeProcess(node.database.db, now, [signal]);
    expect(node.problems.leadership.isLeader).toBe(true);
    expect(node.problems.runtime.detectorNow).not.toBeNull();
  }, 60_000);
});
