import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { addWebhookTarget, problemsWorld } from './test-world.js';

/*
 * The detector saw new customers keep coming after a fix (detector/fix-check.ts): storage puts
 * the problem back to fixing, unless a person moved it on in the meantime.
 */
describe.each(ENGINES)('a fix that did not hold, on %s', (engine) => {
  let t: TestApp;
  const { db, cases, autoProblem, problem, escalations, setStatus, decide } = problemsWorld(
    () => t,
  );
  beforeAll(async () => {
    t = await testApp(engine);
    await addWebhookTarget(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const unfix = (problemId: string) =>
    decide(Date.now(), [
      { type: 'unfix', problemId, at: Date.now() - 60_000, before: 20, after: 14 },
    ]);

  it('goes back to fixing, says why, and tells the owning team’s tools', async () => {
    const id = await autoProblem(await cases(3));
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await problem(id)).fixed_at).not.toBeNull();
    await unfix(id);
    const row = await problem(id);
    expect(row.status).toBe('fixing');
    expect(row.fixed_at).toBeNull();
    const events = await db()
      .selectFrom('problem_events')
      .select(['type', 'data_json'])
      .where('problem_id', '=', id)
      .where('type', '=', 'status_changed')
      .execute();
    expect(events.map((e) => JSON.parse(e.data_json))).toContainEqual(
      expect.objectContaining({
        from: 'fixed',
        to: 'fixing',
        why: 'new customers kept coming after the fix',
        before: 20,
        after: 14,
      }),
    );
    expect((await escalations(id)).at(-1)).toBe('problem.reopened');
  });

  it('leaves a problem a person moved on since the detector saw it fixed', async () => {
    const id = await autoProblem(await cases(2));
    await setStatus(id, { status: 'fixed' });
    await setStatus(id, { status: 'closed' });
    await unfix(id);
    expect((await problem(id)).status).toBe('closed');
  });
});
