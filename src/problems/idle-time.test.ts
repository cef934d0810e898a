import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { insertProblem } from './problem.store.js';
import { aProblem } from './test-world.js';

const HOUR = 3_600_000;

/**
 * Time passes on a live desk when nobody writes: a suspected problem whose complaints stayed
 * away for a day closes at the problem worker's idle tick, not at the next complaint. On a desk
 * whose stream is history (a replay under way), event time stays the messages' own.
 */
describe('a quiet live desk moves on in time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
  });
  afterAll(() => t?.close());
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  const statusOf = async (id: string) =>
    (
      await db()
        .selectFrom('problems')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  it('closes a suspected problem quiet for a day at an idle tick, and never on history', async () => {
    // One live message: the desk's event clock is live, the detector warm.
    const now = Date.now();
    const sent = await asAdmin(
      t,
      'POST',
      '/api/v1/inbound',
      aMessage({ text: 'hello there', sentAt: new Date(now - 60_000).toISOString() }),
    );
    expect(sent.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const at = now - 2 * 60_000;
    const problem = await insertProblem(db(), ws(), aProblem(at, { title: 'outage — quiet' }), at);
    const tick = (wall: number, idle = true) => t.app.problems.runtime.catchUp(db(), wall, idle);

    // Not yet a day of quiet.
    await tick(now);
    await tick(now + 20 * HOUR);
    expect(await statusOf(problem.id)).toBe('suspected');
    // Without the idle flag (a catch-up of other nodes' messages), SQLite has nothing to do.
    await tick(now + 30 * HOUR, false);
    expect(await statusOf(problem.id)).toBe('suspected');
    // A stream of history: the clock says the newest message arrived a day after its time.
    const clock = await db()
      .selectFrom('detector_clock')
      .select(['event_at', 'wall_at'])
      .where('workspace_id', '=', ws())
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('detector_clock')
      .set({ wall_at: Number(clock.event_at) + 24 * HOUR })
      .where('workspace_id', '=', ws())
      .execute();
    await tick(now + 30 * HOUR);
    expect(await statusOf(problem.id)).toBe('suspected');
    // Live again: a day and more of quiet, and it closes on its own.
    await db()
      .updateTable('detector_clock')
      .set({ wall_at: clock.wall_at })
      .where('workspace_id', '=', ws())
      .execute();
    await tick(now + 30 * HOUR);
    expect(await statusOf(problem.id)).toBe('closed');
  });
});
