import { describe, expect, it } from 'vitest';
import { aMessage, caseFromMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { createApiToken } from '../platform/auth/tokens.js';
import type { TokenRole } from '../platform/db/schema.js';

/**
 * Macros can be listed, read by id and removed. Before, a macro's id was known only from the
 * answer that created it, and a macro could not be taken away at all.
 */
describe.each(ENGINES)('managing macros on %s', (engine) => {
  const t = suiteApp(engine);
  const ws = () => t.app.workspace.workspaceId;
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    headers: Record<string, string> = t.auth,
    payload?: unknown,
  ) => t.app.http.inject({ method, url, headers, payload: payload as never });
  const bearer = async (role: TokenRole) => {
    const { token } = await createApiToken(t.app.database.db, ws(), `as-${role}`, role);
    return { authorization: `Bearer ${token}` };
  };
  const make = async (name: string) => {
    const res = await call('POST', '/api/v1/macros', t.auth, {
      name,
      actions: [{ type: 'note', body: `${name} for {{customer.name}}` }],
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('lists macros oldest first, paged by cursor, and reads one by id', async () => {
    const ids = [await make('Outage apology'), await make('Billing'), await make('Escalate')];
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const res = await call('GET', `/api/v1/macros?limit=2&cursor=${cursor}`);
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((m: { id: string }) => m.id));
      cursor = res.json().nextCursor ?? '';
      pages++;
    } while (cursor && pages < 10);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);

    const one = await call('GET', `/api/v1/macros/${ids[1]}`, await bearer('agent'));
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({
      id: ids[1],
      name: 'Billing',
      actions: [{ type: 'note', body: 'Billing for {{customer.name}}' }],
    });
    expect((await call('GET', '/api/v1/macros/no-such-macro')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/macros?cursor=nope')).statusCode).toBe(400);
  });

  it('removes a macro for an admin or supervisor (audited), not for an agent', async () => {
    const id = await make('Old wording');
    const byAgent = await call('DELETE', `/api/v1/macros/${id}`, await bearer('agent'));
    expect(byAgent.statusCode).toBe(403);
    expect((await call('GET', `/api/v1/macros/${id}`)).statusCode).toBe(200);

    const supervisor = await bearer('supervisor');
    const gone = await call('DELETE', `/api/v1/macros/${id}`, supervisor);
    expect(gone.statusCode, gone.body).toBe(204);
    expect((await call('GET', `/api/v1/macros/${id}`)).statusCode).toBe(404);
    const listed = (await call('GET', '/api/v1/macros?limit=200')).json().items;
    expect(listed.map((m: { id: string }) => m.id)).not.toContain(id);
    // Applying it now is a 404, and a second removal does not look like one.
    const caseId = await caseFromMessage(t, aMessage());
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/macros/${id}`, t.auth, {})).statusCode,
    ).toBe(404);
    expect((await call('DELETE', `/api/v1/macros/${id}`, supervisor)).statusCode).toBe(404);

    const entries = await t.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'target', 'actor_type'])
      .where('action', 'in', ['macro.created', 'macro.deleted'])
      .where('target', '=', id)
      .orderBy('id')
      .execute();
    expect(entries).toEqual([
      { action: 'macro.created', target: id, actor_type: 'token' },
      { action: 'macro.deleted', target: id, actor_type: 'token' },
    ]);
  });
});
