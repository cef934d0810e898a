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

  it('adds a team that owner rules can then name; a taken name is a 409, nothing half made', async () => {
    const lead = await createUser(t.app.database.db, {
      workspaceId: ws(),
      email: 'lena@desk.test',
      name: 'Lena',
      role: 'supervisor',
      password: 'a-long-password',
    });
    const made = await asAdmin(t, 'POST', '/api/v1/teams', {
      name: '  Street   works ',
      leadUserId: lead.id,
    });
    expect(made.statusCode, made.body).toBe(201);
    const team = made.json() as Team;
    expect(team).toEqual({
      id: expect.any(String),
      name: 'Street works',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lead: { id: lead.id, name: 'Lena', email: 'lena@desk.test' },
      members: [],
    });
    expect((await get('/api/v1/teams?limit=200')).json().items).toContainEqual(team);
    // An owner rule may name it now (only teams that exist can be named).
    const rule = await asAdmin(t, 'PATCH', '/api/v1/problem-settings', {
      ownerRules: [{ team: 'street works', topic: 'outage' }],
    });
    expect(rule.statusCode, rule.body).toBe(200);
    // The change is in the audit log, by its route, naming the new team.
    const logged = await t.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'target', 'data_json'])
      .where('workspace_id', '=', ws())
      .where('action', '=', 'team.created')
      .where('target', '=', team.id)
      .execute();
    expect(logged).toHaveLength(1);
    // Who became its lead is in the entry (a lead may change the team's problems).
    expect(JSON.parse(logged[0].data_json)).toMatchObject({ leadUserId: lead.id });

    const count = async () =>
      ((await get('/api/v1/teams?limit=200')).json().items as Team[]).length;
    const before = await count();
    for (const [body, status, message] of [
      [{ name: 'STREET WORKS' }, 409, /a team named "Street works" exists/],
      [{ name: '   ' }, 400, /name/],
      [{ name: 'x'.repeat(101) }, 400, /name/],
      [{ name: 'Ops\u0007' }, 400, /name/],
      [{ name: 'Ops', leadUserId: 'nobody' }, 400, /leadUserId "nobody" is not a user/],
      [{ name: 'Ops', colour: 'red' }, 400, /colour/],
    ] as const) {
      const res = await asAdmin(t, 'POST', '/api/v1/teams', body);
      expect([JSON.stringify(body), res.statusCode]).toEqual([JSON.stringify(body), status]);
      expect(res.json().error.message).toMatch(message);
    }
    expect(await count()).toBe(before);
    // Only admins and supervisors add teams.
    const asAgent = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { ...(await bearer('agent')), 'content-type': 'application/json' },
      payload: { name: 'Agents own' },
    });
    expect(asAgent.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('adds one team when several requests name it at once', async () => {
    const add = () => asAdmin(t, 'POST', '/api/v1/teams', { name: 'Night shift' });
    let tries: Awaited<ReturnType<typeof add>>[];
    if (engine === 'postgres') {
      // Nodes adding teams take the workspace's row in turn: while another transaction holds
      // it, an add waits (without the lock each would check, find no such team, and insert).
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const holder = t.app.database.db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('workspaces')
          .select('id')
          .where('id', '=', ws())
          .forUpdate()
          .execute();
        locked();
        await held;
      });
      await isLocked;
      let done = 0;
      const pending = Array.from({ length: 3 }, () => add().finally(() => done++));
      await new Promise((r) => setTimeout(r, 400));
      expect(done).toBe(0);
      release();
      await holder;
      tries = await Promise.all(pending);
    } else {
      // SQLite: one writer at a time.
      tries = await Promise.all(Array.from({ length: 3 }, add));
    }
    expect(tries.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const named = ((await get('/api/v1/teams?limit=200')).json().items as Team[]).filter(
      (x) => x.name === 'Night shift',
    );
    expect(named).toHaveLength(1);
  });

  it('reads a team name as people see it: spacing, width and case aside; invisible characters refused', async () => {
    const made = await asAdmin(t, 'POST', '/api/v1/teams', { name: 'Ｒoad crew' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().name).toBe('Road crew');
    for (const name of ['road   CREW', 'Road crew ']) {
      const res = await asAdmin(t, 'POST', '/api/v1/teams', { name });
      expect([name, res.statusCode]).toEqual([name, 409]);
    }
    for (const name of ['Road\u200bcrew', 'Road crew\u202e', 'Road\u0085crew']) {
      const res = await asAdmin(t, 'POST', '/api/v1/teams', { name });
      expect([JSON.stringify(name), res.statusCode]).toEqual([JSON.stringify(name), 400]);
    }
    // An owner rule naming it with other spacing finds it.
    const rule = await asAdmin(t, 'PATCH', '/api/v1/problem-settings', {
      ownerRules: [{ team: 'road   crew', topic: 'device' }],
    });
    expect(rule.statusCode, rule.body).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(doc.paths['/api/v1/teams'].get.summary).toBe('Teams with their lead and members');
    expect(doc.paths['/api/v1/teams/{id}'].patch.summary).toBe('Name (or clear) a team’s lead');
    expect(doc.paths['/api/v1/teams'].post.summary).toBe('Add a team (with its lead, if named)');
  });
});
