import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import { newId } from '../platform/ids.js';

/**
 * Macros and canned replies are bounded: one request cannot write thousands of history entries
 * (3,000 priority changes made a case's answer 800 KB), nor store unbounded names and texts.
 */
describe.each(ENGINES)('macro sizes on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  let caseId: string;
  beforeAll(async () => {
    caseId = await w.openCase(aMessage());
  });
  const api = (url: string, payload?: unknown) => w.api('POST', url, payload);
  const flips = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: 'priority',
      priority: i % 2 ? 'high' : 'low',
    }));
  const history = async () =>
    (
      await t.app.database.db
        .selectFrom('case_events')
        .select('id')
        .where('case_id', '=', caseId)
        .execute()
    ).length;

  it('refuses oversized macros and canned replies with a 400 naming the field', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const refused: [string, unknown, RegExp][] = [
      [
        '/api/v1/macros',
        { name: 'm', actions: flips(21) },
        /body\/actions must NOT have more than 20 items/,
      ],
      ['/api/v1/macros', { name: 'm', actions: flips(3000) }, /body\/actions/],
      ['/api/v1/macros', { name: long(201), actions: flips(1) }, /body\/name/],
      [
        '/api/v1/macros',
        { name: 'm', actions: [{ type: 'note', body: long(20_001) }] },
        /body\/actions\/0/,
      ],
      [
        '/api/v1/macros',
        { name: 'm', actions: [{ type: 'reply', text: long(20_001) }] },
        /body\/actions\/0/,
      ],
      [
        '/api/v1/macros',
        { name: 'm', actions: [{ type: 'priority', priority: 'low', pad: long(10) }] },
        /actions\/0: a priority action has no field "pad"/,
      ],
      ['/api/v1/canned-replies', { name: long(201), body: 'hi' }, /body\/name/],
      ['/api/v1/canned-replies', { name: 'c', shortcut: long(101), body: 'hi' }, /body\/shortcut/],
    ];
    for (const [url, body, message] of refused) {
      const res = await api(url, body);
      expect(res.statusCode, `${url} ${message}`).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    const macros = await t.app.database.db.selectFrom('macros').select('id').execute();
    expect(macros).toEqual([]);
  });

  it('a macro at the cap applies; one stored past it is refused and writes nothing', async () => {
    const ok = await api('/api/v1/macros', { name: 'twenty', actions: flips(20) });
    expect(ok.statusCode, ok.body).toBe(201);
    const before = await history();
    expect((await api(`/api/v1/cases/${caseId}/macros/${ok.json().id}`, {})).statusCode).toBe(200);
    expect((await history()) - before).toBeLessThanOrEqual(21);

    // Saved by an older release, before the cap.
    const id = newId();
    await t.app.database.db
      .insertInto('macros')
      .values({
        id,
        workspace_id: t.app.workspace.workspaceId,
        name: 'old and huge',
        actions_json: JSON.stringify(flips(3000)),
        created_at: Date.now(),
      })
      .execute();
    const at = await history();
    const huge = await api(`/api/v1/cases/${caseId}/macros/${id}`, {});
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toMatch(/3000 actions, more than the 20/);
    expect(await history()).toBe(at);
  });
});
