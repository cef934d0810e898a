import { describe, expect, it } from 'vitest';
import { logIn, sessionCookie } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { createUser } from '../platform/auth/users.js';
import { resolveOwner } from './owner.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { problemsWorld } from './test-world.js';

/**
 * Status updates reach every linked customer, and links, merges and splits decide who they
 * reach: an agent does these only for a problem of their own team (or of none).
 */
describe.each(ENGINES)('owner teams on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, ws, api, cases, autoProblem, problem, next } = problemsWorld(() => t);
  /** An agent of the team, signed in: their session cookie. */
  const agentOf = async (team: string) => {
    const now = Date.now();
    const email = `${team}-${next()}@example.com`;
    const { id } = await createUser(db(), {
      workspaceId: ws(),
      email,
      name: team,
      role: 'agent',
      password: 'agent password 123',
    });
    await db()
      .insertInto('agent_profiles')
      .values({
        user_id: id,
        workspace_id: ws(),
        availability: 'online',
        capacity: 5,
        skills_json: '[]',
        team_id: team,
        last_assigned_at: null,
        updated_at: now,
      })
      .execute();
    const login = await logIn(t, email, 'agent password 123');
    expect(login.statusCode).toBe(200);
    return sessionCookie(login);
  };

  it('an agent changes a problem owned by a team only as a member of it', async () => {
    const now = Date.now();
    for (const team of ['team-fibre', 'team-billing'])
      await db()
        .insertInto('teams')
        .values({ id: team, workspace_id: ws(), name: team, created_at: now })
        .execute();
    const fibre = await agentOf('team-fibre');
    const billing = await agentOf('team-billing');
    const owned = await autoProblem(await cases(1));
    await db()
      .updateTable('problems')
      .set({ owner_team_id: 'team-fibre' })
      .where('id', '=', owned)
      .execute();
    const unowned = await autoProblem(await cases(1));
    const update = (cookie: string, id: string) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/problems/${id}/status`,
        headers: { cookie },
        payload: { status: 'confirmed', silent: true },
      });
    expect((await update(billing, owned)).statusCode).toBe(403);
    expect((await problem(owned)).status).toBe('suspected');
    expect((await update(fibre, owned)).statusCode).toBe(200);
    expect((await update(billing, unowned)).statusCode).toBe(200);
    // Nor may they link, split or merge it.
    const as = (cookie: string, url: string, payload: unknown) =>
      t.app.http.inject({ method: 'POST', url, headers: { cookie }, payload: payload as never });
    const [other] = await cases(1);
    const links = `/api/v1/problems/${owned}/links`;
    expect((await as(billing, links, { link: [other.case_id] })).statusCode).toBe(403);
    const merge = `/api/v1/problems/${unowned}/merge`;
    expect((await as(billing, merge, { intoId: owned })).statusCode).toBe(403);
    expect((await as(fibre, links, { link: [other.case_id] })).statusCode).toBe(200);
  });

  it("the owner team's lead changes its problems, though an agent of another team", async () => {
    const now = Date.now();
    await db()
      .insertInto('teams')
      .values({ id: 'team-radio', workspace_id: ws(), name: 'team-radio', created_at: now })
      .execute();
    // The lead's own agent profile names another team; leading this one is what counts.
    const leadCookie = await agentOf('team-desk-side');
    const lead = await db()
      .selectFrom('agent_profiles')
      .select('user_id')
      .where('team_id', '=', 'team-desk-side')
      .executeTakeFirstOrThrow();
    const named = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/teams/team-radio',
      headers: t.auth,
      payload: { leadUserId: lead.user_id },
    });
    expect(named.statusCode, named.body).toBe(200);
    const owned = await autoProblem(await cases(1));
    await db()
      .updateTable('problems')
      .set({ owner_team_id: 'team-radio' })
      .where('id', '=', owned)
      .execute();
    const update = (cookie: string) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/problems/${owned}/status`,
        headers: { cookie },
        payload: { status: 'confirmed', silent: true },
      });
    const bystander = await agentOf('team-desk-side');
    expect((await update(bystander)).statusCode).toBe(403);
    const res = await update(leadCookie);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().problem.lead.id).toBe(lead.user_id);
  });

  it('the teams the default owner rules name exist: their problems are theirs to update', async () => {
    const [c] = await cases(1);
    const made = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'network' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().owner).toBe('Network operations');
    const ownerTeam = (await problem(made.json().id)).owner_team_id;
    expect(ownerTeam).not.toBeNull();
    const teams = await db()
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('workspace_id', '=', ws())
      .execute();
    const id = (name: string) => teams.find((x) => x.name === name)?.id;
    expect(ownerTeam).toBe(id('Network operations'));
    for (const r of DEFAULT_PROBLEM_SETTINGS.ownerRules) expect(id(r.team), r.team).toBeDefined();
    // The detector's problems are owned the same way.
    const owner = await resolveOwner(db(), ws(), DEFAULT_PROBLEM_SETTINGS, {
      topic: 'outage',
      area: null,
      areaKey: null,
      teamId: null,
    });
    expect(owner).toEqual({ teamId: id('Network operations'), name: 'Network operations' });

    const update = (headers: Record<string, string>) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/problems/${made.json().id}/status`,
        headers,
        payload: { status: 'fixing', silent: true },
      });
    const desk = await agentOf(id('Care desk')!);
    expect((await update({ cookie: desk })).statusCode).toBe(403);
    const network = await agentOf(id('Network operations')!);
    expect((await update({ cookie: network })).statusCode).toBe(200);
    expect((await update(t.auth)).statusCode).toBe(200);
  });

  it('a problem owner is an existing team: an unknown or blank name is a 400, so it keeps its team', async () => {
    const [c] = await cases(1);
    const bogus = await api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      topic: 'network',
      owner: 'Bogus team',
    });
    expect(bogus.statusCode, bogus.body).toBe(400);
    expect(bogus.json().error.message).toMatch(/no team named "Bogus team"/);
    // Named in any case, it is stored as the team spells it, with the team's row.
    const made = await api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      topic: 'network',
      owner: 'billing',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().owner).toBe('Billing');
    const id = made.json().id as string;
    const teams = await db()
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('workspace_id', '=', ws())
      .execute();
    const team = (name: string) => teams.find((x) => x.name === name)!.id;
    expect((await problem(id)).owner_team_id).toBe(team('Billing'));

    const status = (payload: unknown, headers: Record<string, string> = t.auth) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/problems/${id}/status`,
        headers,
        payload: payload as never,
      });
    for (const owner of ['Team That Does Not Exist', '   ']) {
      const res = await status({ owner });
      expect(res.statusCode, owner).toBe(400);
      expect(res.json().error.message).toMatch(/^owner: /);
    }
    const kept = await problem(id);
    expect({ owner: kept.owner, team: kept.owner_team_id }).toEqual({
      owner: 'Billing',
      team: team('Billing'),
    });
    // Another team's agent still may not take it over.
    const desk = await agentOf(team('Care desk'));
    expect((await status({ owner: 'Care desk' }, { cookie: desk })).statusCode).toBe(403);
    // Handed to another team by name: that team's row comes with it.
    const handed = await status({ owner: 'network OPERATIONS' });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(handed.json().problem.owner).toBe('Network operations');
    expect((await problem(id)).owner_team_id).toBe(team('Network operations'));
    // Null clears it: no team owns it then.
    expect((await status({ owner: null })).json().problem.owner).toBeNull();
    expect((await problem(id)).owner_team_id).toBeNull();
  });
});
