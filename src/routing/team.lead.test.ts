import { describe, expect, it } from 'vitest';
import { asAdmin, logIn, sessionCookie } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { createUser } from '../platform/auth/users.js';
import { problemsWorld } from '../problems/test-world.js';

/*
 * A team's lead answers for its problems: the issue has a team's process problems owned by "that
 * team's lead". Admins and supervisors name one (`PATCH /api/v1/teams/:id`); the team list and
 * every problem the team owns show them.
 */
describe.each(ENGINES)('team leads on %s', (engine) => {
  const t = suiteApp(engine);
  const ws = () => t.app.workspace.workspaceId;
  const world = problemsWorld(() => t);
  let n = 0;
  const user = async (role: 'agent' | 'supervisor' = 'agent') => {
    const email = `lead-${engine}-${++n}@desk.test`;
    const u = await createUser(t.app.database.db, {
      workspaceId: ws(),
      email,
      name: `Lead ${n}`,
      role,
      password: 'a-long-password',
    });
    return { id: u.id, email, name: `Lead ${n}` };
  };
  const teamNamed = async (name: string) =>
    (await asAdmin(t, 'GET', '/api/v1/teams?limit=200'))
      .json()
      .items.find((x: { name: string }) => x.name === name);

  it('is named by an admin, shown with the team and on its problems, and cleared', async () => {
    const ann = await user();
    const billing = await teamNamed('Billing');
    expect(billing.lead).toBeNull();
    const set = await asAdmin(t, 'PATCH', `/api/v1/teams/${billing.id}`, { leadUserId: ann.id });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().lead).toEqual({ id: ann.id, name: ann.name, email: ann.email });
    expect((await teamNamed('Billing')).lead).toEqual(set.json().lead);
    // Every problem the team owns shows who answers for it; another team's shows its own.
    const [{ case_id: caseId }, { case_id: otherCase }] = await world.cases(2);
    const made = await asAdmin(t, 'POST', '/api/v1/problems', { caseId, owner: 'Billing' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().lead).toEqual(set.json().lead);
    const other = await asAdmin(t, 'POST', '/api/v1/problems', {
      caseId: otherCase,
      owner: 'Care desk',
    });
    expect(other.statusCode, other.body).toBe(201);
    expect(other.json().lead).toBeNull();
    const listed = await asAdmin(t, 'GET', '/api/v1/problems?owner=Billing&limit=200');
    const mine = listed.json().items.find((p: { id: string }) => p.id === made.json().id);
    expect(mine.lead).toEqual(set.json().lead);
    // A disabled account leads nothing, and a lead can be cleared.
    expect(
      (await asAdmin(t, 'PATCH', `/api/v1/users/${ann.id}`, { disabled: true })).statusCode,
    ).toBe(200);
    expect((await teamNamed('Billing')).lead).toBeNull();
    expect((await asAdmin(t, 'GET', `/api/v1/problems/${made.json().id}`)).json().lead).toBeNull();
    const bob = await user('supervisor');
    await asAdmin(t, 'PATCH', `/api/v1/teams/${billing.id}`, { leadUserId: bob.id });
    expect((await teamNamed('Billing')).lead.id).toBe(bob.id);
    const clear = await asAdmin(t, 'PATCH', `/api/v1/teams/${billing.id}`, { leadUserId: null });
    expect(clear.statusCode, clear.body).toBe(200);
    expect(clear.json().lead).toBeNull();
  });

  it('refuses an unknown or disabled user, an unknown team, other fields, and agents', async () => {
    const team = await teamNamed('Care desk');
    const patch = (id: string, body: unknown, headers: Record<string, string> = t.auth) =>
      t.app.http.inject({
        method: 'PATCH',
        url: `/api/v1/teams/${id}`,
        headers,
        payload: body as never,
      });
    const unknown = await patch(team.id, { leadUserId: 'nobody' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/"nobody" is not a user of this workspace/);
    const gone = await user();
    await asAdmin(t, 'PATCH', `/api/v1/users/${gone.id}`, { disabled: true });
    const disabled = await patch(team.id, { leadUserId: gone.id });
    expect(disabled.statusCode).toBe(400);
    expect(disabled.json().error.message).toMatch(/disabled/);
    const ok = await user();
    expect((await patch('no-such-team', { leadUserId: ok.id })).statusCode).toBe(404);
    expect((await patch(team.id, { leadUserId: ok.id, name: 'x' })).statusCode).toBe(400);
    expect((await patch(team.id, {})).statusCode).toBe(400);
    // An agent may not name leads, not even themselves.
    const login = await logIn(t, ok.email, 'a-long-password');
    const cookie = sessionCookie(login);
    expect((await patch(team.id, { leadUserId: ok.id }, { cookie })).statusCode).toBe(403);
    expect((await teamNamed('Care desk')).lead).toBeNull();
  });
});
