import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { createUser } from '../platform/auth/users.js';
import {
  closeWorldsAfterEach,
  fakes,
  withJira,
  withPagerDuty,
  world,
} from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * What an escalation says: the problem as it was at the event (however late the delivery), and
 * the ETA and words of the status update it came with.
 */
closeWorldsAfterEach();

async function withHook(w: Awaited<ReturnType<typeof world>>) {
  const state = { down: false };
  const hook = await startFake(() => (state.down ? { status: 503 } : { status: 204 }));
  fakes.push(hook);
  await w.add('webhook', { url: `${hook.url}/hook` }, { secret: 'whsec-0123456789abcdef' });
  const sent = () =>
    hook.requests
      .filter((r) => r.headers['x-throughline-event'])
      .map(
        (r) =>
          r.body as {
            event: string;
            problem: { status: string; owner: string | null; etaAt: string | null };
            update?: { body: string };
          },
      );
  return { state, hook, sent };
}

describe('escalations carry the problem as it was at the event', () => {
  it('a delivery retried after later changes reports the state it was queued for', async () => {
    const w = await world();
    const { state, sent } = await withHook(w);
    const id = await w.problem();
    await w.change(id, { status: 'fixing', owner: 'Field services' });
    await w.drain();
    state.down = true;
    await w.change(id, { status: 'fixed' });
    await w.drain();
    // Changed while the target is down: reopened, handed to another team.
    await w.change(id, { status: 'fixing', owner: 'Billing' });
    state.down = false;
    for (let i = 0; i < 5; i++) {
      await w.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('status', '=', 'pending')
        .execute();
      await w.drain();
    }
    const fixed = sent().filter((b) => b.event === 'problem.fixed');
    expect(fixed.length).toBeGreaterThan(0);
    expect(fixed.at(-1)!.problem).toMatchObject({ status: 'fixed', owner: 'Field services' });
    const reopened = sent().find((b) => b.event === 'problem.reopened');
    expect(reopened?.problem).toMatchObject({ status: 'fixing', owner: 'Billing' });
  });
});

describe('ETAs and update words reach the escalation targets', () => {
  it('webhook, Jira comment and Slack text carry the ETA and the words; a words-only update escalates', async () => {
    const w = await world();
    const { sent } = await withHook(w);
    const { jira } = await withJira(w);
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    const id = await w.problem();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    const eta = new Date(Date.now() + 3 * 3_600_000);
    eta.setMilliseconds(0);
    await w.change(id, { etaAt: eta.toISOString(), body: 'Crews are splicing the cable' });
    await w.drain();
    const updated = sent().filter((b) => b.event === 'problem.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0].problem.etaAt).toBe(eta.toISOString());
    expect(updated[0].update).toEqual({ body: 'Crews are splicing the cable' });
    const comment = JSON.stringify(jira.requests.at(-1)!.body);
    expect(comment).toContain(eta.toISOString());
    expect(comment).toContain('Crews are splicing the cable');
    const slackText = JSON.stringify(slack.requests.at(-1)!.body);
    expect(slackText).toContain(eta.toISOString());
    expect(slackText).toContain('Crews are splicing the cable');

    await w.change(id, { body: 'Half the street is back' });
    await w.drain();
    const again = sent().filter((b) => b.event === 'problem.updated');
    expect(again).toHaveLength(2);
    expect(again[1].update).toEqual({ body: 'Half the street is back' });
    expect(JSON.stringify(slack.requests.at(-1)!.body)).toContain('Half the street is back');
  });
});

/*
 * A team's lead answers for its problems (a process problem's owner, #6): the people reading an
 * escalation learn who that is, by name, as the API shows it.
 */
describe('escalations name the owner team’s lead', () => {
  it('webhook, PagerDuty and Slack carry the lead named for the owner team', async () => {
    const w = await world();
    const { sent } = await withHook(w);
    const { pd } = await withPagerDuty(w);
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    const ws = w.app.app.workspace.workspaceId;
    const lead = await createUser(w.db, {
      workspaceId: ws,
      email: 'ines@desk.test',
      name: 'Inês Field',
      role: 'supervisor',
      password: 'a-long-password',
    });
    // The outage problem's owner team (the default owner rules) is led by her.
    const team = await w.db
      .selectFrom('teams')
      .select('id')
      .where('workspace_id', '=', ws)
      .where('name', '=', 'Network operations')
      .executeTakeFirstOrThrow();
    const named = await w.app.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${team.id}`,
      headers: w.app.auth,
      payload: { leadUserId: lead.id },
    });
    expect(named.statusCode, named.body).toBe(200);
    const id = await w.problem();
    await w.drain();
    const opened = sent().find((b) => b.event === 'problem.opened')!;
    expect(opened.problem).toMatchObject({
      owner: 'Network operations',
      lead: { id: lead.id, name: 'Inês Field' },
    });
    expect(JSON.stringify(slack.requests.at(-1)!.body)).toContain(
      'Owner: Network operations · Lead: Inês Field',
    );
    const triggered = pd.requests.map(
      (r) => (r.body as { payload?: { custom_details?: { lead?: string } } }).payload,
    );
    expect(triggered.at(-1)?.custom_details?.lead).toBe('Inês Field');
    // Handed to a team with no lead: no one is named.
    await w.change(id, { owner: 'Billing', body: 'Billing takes it' });
    await w.drain();
    expect(sent().at(-1)!.problem).toMatchObject({ owner: 'Billing', lead: null });
    expect(JSON.stringify(slack.requests.at(-1)!.body)).not.toContain('Lead:');
  });
});
