import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

type Update = { body: string; status: string; silent: boolean };
type Entry = { type: string; data: Record<string, unknown> };

/**
 * Words posted with `silent: true` are the team's record: stored and shown in the problem's
 * updates and history, marked silent; only its customers are not messaged. Before, they were
 * dropped (nothing in `updates` or `history`) while the owning team's webhook still got them.
 */
describe.each(ENGINES)('silent status updates on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  const read = async (id: string) => (await w.api('GET', `/api/v1/problems/${id}`)).json();
  const post = (id: string, body: Record<string, unknown>) =>
    w.api('POST', `/api/v1/problems/${id}/status`, body);

  it('keeps silent words in updates and history, messages no one, and sends them when posted aloud', async () => {
    const id = await w.autoProblem(await w.cases(2));
    const silent = await post(id, { body: 'internal note: silent words', silent: true });
    expect(silent.statusCode, silent.body).toBe(200);
    expect(silent.json().notified).toBe(0);
    let p = await read(id);
    expect(p.updates.map((u: Update) => [u.body, u.silent])).toEqual([
      ['internal note: silent words', true],
    ]);
    const posted = p.history.filter((h: Entry) => h.type === 'update_posted');
    expect(posted.map((h: Entry) => h.data)).toEqual([
      { updateId: p.updates[0].id, queued: 0, silent: true },
    ]);
    expect(p.notifications).toEqual({});
    // A retry of the note changes nothing.
    const again = await post(id, { body: 'internal note: silent words', silent: true });
    expect(again.json().problem.version).toBe(silent.json().problem.version);
    // The same words for customers are news to them: the note was not.
    const aloud = await post(id, { body: 'internal note: silent words', silent: false });
    expect(aloud.statusCode, aloud.body).toBe(200);
    expect(aloud.json().notified).toBe(2);
    p = await read(id);
    expect(p.updates.map((u: Update) => u.silent)).toEqual([true, false]);
    expect(p.notifications).toEqual({ queued: 2 });
  });

  it("a silent fix's words are not the fix notice of a customer who joins later", async () => {
    const id = await w.autoProblem(await w.cases(1));
    const fixed = await post(id, { status: 'fixed', body: 'root cause: bad router', silent: true });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect((await read(id)).updates.map((u: Update) => [u.status, u.silent])).toEqual([
      ['fixed', true],
    ]);
    const [late] = await w.cases(1);
    const linked = await w.api('POST', `/api/v1/problems/${id}/links`, { link: [late.case_id] });
    expect(linked.statusCode, linked.body).toBe(200);
    const notices = await w
      .db()
      .selectFrom('problem_notifications')
      .select('text')
      .where('problem_id', '=', id)
      .execute();
    expect(notices).toHaveLength(1);
    expect(notices[0].text).not.toContain('bad router');
  });
});
