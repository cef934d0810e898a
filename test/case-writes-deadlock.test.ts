import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStream } from '../src/ingest/ingest-stream.js';
import { Scheduler, type TimerBatchHandler } from '../src/platform/jobs/scheduler.js';
import { promiseTimer } from '../src/promises/promise.service.js';
import { slaTimers } from '../src/sla/sla.jobs.js';
import { aMessage, asAdmin, type TestApp, testApp } from './builders.js';

/**
 * Agents resolving cases through the API while the scheduler fires those cases' due SLA breach
 * timers, on PostgreSQL. The API's case write used to lock the case's clocks, then its timers,
 * while the scheduler had locked the timers and went on to the clocks: a deadlock, answered as
 * a 500 (QA: 34 of 600 resolutions on three nodes).
 */
describe('API case writes beside the scheduler on postgres', () => {
  let t: TestApp;
  const CASES = 60;
  beforeAll(async () => {
    t = await testApp('postgres');
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const res = await asAdmin(t, 'POST', '/api/v1/sla/policies', {
        name: priority,
        priority,
        firstResponseMinutes: 60,
        resolutionMinutes: 240,
        atRiskPercent: 99,
      });
      expect(res.statusCode).toBe(201);
    }
    // Five minutes apart, the newest five hours old: every deadline is due, and a case's at-risk
    // and breach timers of a clock fall due one after the other (99 %), so a batch claims both.
    const start = Date.now() - 10 * 3_600_000;
    await ingestStream(
      Array.from({ length: CASES }, (_, i) =>
        aMessage({
          externalId: `dl-${i}`,
          author: { id: `dl-cust-${i}` },
          sentAt: new Date(start + i * 5 * 60_000).toISOString(),
          visibility: 'private',
        }),
      ),
      {
        database: t.app.database,
        workspaceId: t.app.workspace.workspaceId,
        pipeline: t.app.pipeline,
      },
    );
    await t.app.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('resolves every case, with no deadlock, while their breaches fire', async () => {
    const { db } = t.app.database;
    // The agent resolves a case just as the scheduler has claimed its breach timer, before the
    // scheduler wrote its clocks (a slow node widens that window to make the race certain).
    const answers: Promise<LightMyRequestResponse>[] = [];
    const resolving = new Set<string>();
    const racing: TimerBatchHandler = {
      async many(trx, timers, now, caps) {
        for (const timer of timers) {
          if (timer.kind !== 'sla.breach:resolution' || resolving.has(timer.ref_id)) continue;
          resolving.add(timer.ref_id);
          answers.push(
            asAdmin(t, 'PATCH', `/api/v1/cases/${timer.ref_id}`, { status: 'resolved' }),
          );
        }
        await new Promise((r) => setTimeout(r, 100));
        return slaTimers.many(trx, timers, now, caps);
      },
    };
    const scheduler = new Scheduler({
      database: t.app.database,
      bus: t.app.bus,
      clock: () => Date.now(),
      batchSize: 6,
      handlers: {
        'sla.at_risk': racing,
        'sla.breach': racing,
        'promise.remind': promiseTimer,
        'promise.due': promiseTimer,
      },
    });
    await scheduler.tick();
    const statuses = (await Promise.all(answers)).map((a) => a.statusCode);
    expect(resolving.size).toBe(CASES);
    const counts: Record<number, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    expect(counts).toEqual({ 200: CASES });
    const resolved = await db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'resolved')
      .executeTakeFirstOrThrow();
    expect(Number(resolved.n)).toBe(CASES);
  });
});
