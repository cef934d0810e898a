import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';

/** Presence answers for a case of the caller's workspace only: any other id is a 404. */
describe.each(ENGINES)('case presence on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  let caseId: string;
  beforeAll(async () => {
    caseId = await w.openCase(aMessage());
  });
  const { api } = w;

  it('a case that does not exist is a 404, for GET as for PUT', async () => {
    const get = await api('GET', '/api/v1/cases/no-such-case/presence');
    expect(get.statusCode).toBe(404);
    expect(get.json().error.code).toBe('not_found');
    const put = await api('PUT', '/api/v1/cases/no-such-case/presence', { state: 'viewing' });
    expect(put.statusCode).toBe(404);
  });

  it("lists only this workspace's presence on the case", async () => {
    const db = t.app.database.db;
    await db
      .insertInto('workspaces')
      .values({ id: 'ws-other', name: 'Other', is_demo: 0, created_at: Date.now() })
      .execute();
    // A row another workspace wrote under the same case id must not show here.
    await db
      .insertInto('presence')
      .values({
        case_id: caseId,
        user_id: 'intruder',
        workspace_id: 'ws-other',
        user_name: 'Intruder',
        state: 'viewing',
        expires_at: Date.now() + 60_000,
      })
      .execute();
    const put = await api('PUT', `/api/v1/cases/${caseId}/presence`, { state: 'typing' });
    expect(put.statusCode).toBe(200);
    const get = await api('GET', `/api/v1/cases/${caseId}/presence`);
    expect(get.statusCode).toBe(200);
    expect(get.json().items).toEqual([
      { userId: expect.any(String), name: 'test', state: 'typing' },
    ]);
    expect(put.json().items).toEqual(get.json().items);
  });
});
