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

  const notices = (id: string) =>
    db()
      .selectFrom('problem_notifications')
      .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
      .select(['problem_updates.status', 'problem_notifications.customer_id', 'text'])
      .where('problem_notifications.problem_id', '=', id)
      .execute();

  it('tells the customers who were told of the fix that it did not hold', async () => {
    const linked = await cases(3);
    const id = await autoProblem(linked);
    const fixed = await setStatus(id, { status: 'fixed', silent: false, body: 'Router replaced.' });
    expect(fixed.json().notified).toBe(3);
    // One customer no route reached: they were never told of the fix.
    await db()
      .updateTable('problem_notifications')
      .set({ status: 'undeliverable' })
      .where('problem_id', '=', id)
      .where('customer_id', '=', linked[0].customer_id!)
      .execute();
    await unfix(id);
    const sent = await notices(id);
    const again = sent.filter((n) => n.status === 'fixing');
    expect(new Set(again.map((n) => n.customer_id))).toEqual(
      new Set(linked.slice(1).map((c) => c.customer_id)),
    );
    expect(again[0].text).toMatch(/Our team is working on a fix\. Our fix did not hold/);
    // A fix nobody was told of fails as quietly.
    const quiet = await autoProblem(await cases(2));
    await setStatus(quiet, { status: 'fixed' });
    await unfix(quiet);
    expect((await problem(quiet)).status).toBe('fixing');
    expect(await notices(quiet)).toHaveLength(0);
  });

  it('leaves a problem a person moved on since the detector saw it fixed', async () => {
    const id = await autoProblem(await cases(2));
    await setStatus(id, { status: 'fixed' });
    await setStatus(id, { status: 'closed' });
    await unfix(id);
    expect((await problem(id)).status).toBe('closed');
  });
});
