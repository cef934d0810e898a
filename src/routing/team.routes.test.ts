import { describe, expect, it } from 'vitest';
import { asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { createUser } from '../platform/auth/users.js';
import type { TokenRole } from '../platform/db/schema.js';

interface Team {
  id: string;
  name: string;
  createdAt: string;
  lead: { id: string; name: string; email: string } | null;
  members: { id: string; name: string; email: string }[];
}

describe.each(ENGINES)('GET /api/v1/teams on %s', (engine) => {
  const t = suiteApp(engine);
  const ws = () => t.app.workspace.workspaceId;
  const get = (url: string, headers: Record<string, string> = t.auth) =>
    t.app.http.inject({ method: 'GET', url, headers });
  const bearer = async (role: TokenRole) => {
    const { token } = await createApiToken(t.app.database.db, ws(), `as-${role}`, role);
    return { authorization: `Bearer ${token}` };
  };

  it('lists every team with its enabled members, paged by cursor', async () => {
    const user = (name: string) =>
      createUser(t.app.database.db, {
        workspaceId: ws(),
        email: `${name}@desk.test`,
        name,
        role: 'agent',
        password: 'a-long-password',
      });
    const [zed, amy, gone] = [await user('Zed'), await user('Amy'), await user('Gone')];
    const first = await get('/api/v1/teams');
    expect(first.statusCode, first.body).toBe(200);
    const before = first.json().items as Team[];
    // The desk starts with its own team and the default owner rules' teams.
    expect(before.length).toBeGreaterThan(1);
    expect(before.map((x) => x.name)).toContain('Care desk');
    const care = before.find((x) => x.name === 'Care desk')!;
    for (const [u, team] of [
      [zed, care.id],
      [amy, care.id],
      [gone, care.id],
    ] as const) {
      const res = await asAdmin(t, 'PUT', `/api/v1/agents/${u.id}`, { teamId: team });
      expect(res.statusCode, res.body).toBe(200);
    }
    const off = await asAdmin(t, 'PATCH', `/api/v1/users/${gone.id}`, { disabled: true });
    expect(off.statusCode, off.body).toBe(200);

    const all = (await get('/api/v1/teams?limit=200')).json();
    expect(all.nextCursor).toBeNull();
    const listed = all.items as Team[];
    expect(listed.length).toBe(before.length);
    expect(listed.find((x) => x.id === care.id)).toEqual({
      id: care.id,
      name: 'Care desk',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lead: null,
      members: [
        { id: amy.id, name: 'Amy', email: 'amy@desk.test' },
        { id: zed.id, name: 'Zed', email: 'zed@desk.test' },
      ],
    });
    // One by one, the walk returns each team once, in the same order.
    const walked: string[] = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const page = (await get(`/api/v1/teams?limit=1&cursor=${encodeURIComponent(cursor)}`)).json();
      walked.push(...(page.items as Team[]).map((x) => x.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(listed.map((x) => x.id));
  });

  it('is read by every desk role, not by an integration token, and refuses unknown parameters', async () => {
    for (const role of ['admin', 'supervisor', 'agent'] as const) {
      expect([role, (await get('/api/v1/teams', await bearer(role))).statusCode]).toEqual([
        role,
        200,
      ]);
    }
    expect((await get('/api/v1/teams', await bearer('integration'))).statusCode).toBe(403);
    expect((await get('/api/v1/teams', {})).statusCode).toBe(401);
    const misspelt = await get('/api/v1/teams?limt=5');
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().error.details).toMatchObject({
      unknown: ['limt'],
      accepted: ['limit', 'cursor'],
    });
    expect((await get('/api/v1/teams?limit=0')).statusCode).toBe(400);
    expect((await get('/api/v1/teams?limit=201')).statusCode).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(doc.paths['/api/v1/teams'].get.summary).toBe('Teams with their lead and members');
    expect(doc.paths['/api/v1/teams/{id}'].patch.summary).toBe('Name (or clear) a team’s lead');
  });
});
