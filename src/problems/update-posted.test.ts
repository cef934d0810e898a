import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/**
 * A problem's history records how many customers an update was queued for, not "notified":
 * it is written before any delivery, and said `notified: 17` when 2 ended undeliverable and 2
 * were still queued. Who was told is in the notifications.
 */
describe.each(ENGINES)('update_posted history on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);

  it('says how many customers were queued', async () => {
    const id = await w.autoProblem(await w.cases(3));
    expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
    const p = (await w.api('GET', `/api/v1/problems/${id}`)).json();
    const posted = p.history.filter((h: { type: string }) => h.type === 'update_posted');
    expect(posted).toHaveLength(1);
    expect(posted[0].data).toEqual({ updateId: expect.any(String), queued: 3 });
    expect(p.notifications).toEqual({ queued: 3 });
  });
});
