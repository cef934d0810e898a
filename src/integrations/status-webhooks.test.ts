import { describe, expect, it } from 'vitest';
import {
  closeWorldsAfterEach,
  jiraIssue,
  toInProgress,
  withJira,
  withPagerDuty,
  world,
} from './testing/escalation-world.js';

/** Jira and PagerDuty status webhooks move a problem only on a real status change newer than its last. */
closeWorldsAfterEach();

describe('status webhooks only move a problem on a real, current status change', () => {
  it('Jira: the echo of our own comment (no status change) does not undo a fix', async () => {
    const w = await world();
    const { jira, hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    expect((await w.get(id)).externalRefs.jira).toBe('PROB-1');
    await hook({
      timestamp: Date.now(),
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    const res = await hook({
      timestamp: Date.now(),
      issue_event_type_name: 'issue_commented',
      comment: { id: '1' },
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect(res.statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    // A change of another field is no status news either.
    await hook({
      timestamp: Date.now(),
      changelog: { items: [{ field: 'assignee', fromString: null, toString: 'Ana' }] },
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixed');
  });

  it('Jira: a status change that happened before the last change in Throughline is ignored', async () => {
    const w = await world();
    const { hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    const before = Date.now() - 60_000;
    await w.change(id, { status: 'fixed' });
    // Delivered late: the move to In Progress happened a minute before the desk's fix.
    await hook({
      timestamp: before,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixed');
    // The same change made after the fix does reopen it.
    await hook({
      timestamp: Date.now() + 1000,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
  });

  it('Jira: an issue back in a To Do status reopens a fixed or verified problem, and tells its customers', async () => {
    const w = await world();
    const { id: jiraId, hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    const toDo = (at: number) =>
      hook({
        timestamp: at,
        changelog: { items: [{ field: 'status', fromString: 'Done', toString: 'To Do' }] },
        issue: jiraIssue('PROB-1', 'new'),
      });
    // Before a fix, To Do is no news.
    expect((await toDo(Date.now() + 1000)).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('confirmed');
    for (const [i, path] of [['fixed'], ['fixed', 'verified']].entries()) {
      for (const s of path) await w.change(id, { status: s });
      await w.drain();
      expect((await toDo(Date.now() + 2000 * (i + 1))).statusCode).toBe(200);
      const p = await w.get(id);
      expect(p.status).toBe('fixing');
      expect(
        p.history.filter((h: { type: string }) => h.type === 'status_changed').at(-1),
      ).toMatchObject({
        actor: `jira:${jiraId}`,
        data: { from: path.at(-1), to: 'fixing' },
      });
      // Customers told of the fix hear it goes on; the targets get a reopening.
      expect(p.updates.at(-1).status).toBe('fixing');
      const last = (await w.escalations()).at(-1)!;
      expect(JSON.parse(last.payload_json).event).toBe('problem.reopened');
    }
  });

  it('PagerDuty: the late echo of our own acknowledge after the fix does not reopen or re-notify', async () => {
    const w = await world();
    const { pd, say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(pd.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual([
      'trigger',
      'acknowledge',
      'resolve',
    ]);
    const updates = async () =>
      (
        await w.db
          .selectFrom('problem_updates')
          .select('status')
          .where('problem_id', '=', id)
          .execute()
      ).length;
    const sent = await updates();
    expect((await say(id, 'incident.acknowledged')).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    expect((await say(id, 'incident.resolved')).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    expect(await updates()).toBe(sent);
  });

  it('PagerDuty: an acknowledge before work started moves to fixing; an event older than the last change is ignored; a reopen still reopens', async () => {
    const w = await world();
    const { say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await say(id, 'incident.acknowledged');
    expect((await w.get(id)).status).toBe('fixing');
    await w.change(id, { status: 'fixed' });
    await say(id, 'incident.reopened', new Date(Date.now() - 60_000));
    expect((await w.get(id)).status).toBe('fixed');
    await say(id, 'incident.reopened', new Date(Date.now() + 1000));
    expect((await w.get(id)).status).toBe('fixing');
  });
});

describe('a status webhook route answers only for an integration of its kind', () => {
  it('a PagerDuty body signed with a Jira integration secret on its pagerduty route is a 404 and moves nothing', async () => {
    const w = await world();
    const { id: jiraId } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    // As a PagerDuty integration of the same desk would have left it.
    await w.change(id, {
      status: 'fixing',
      externalRefs: { pagerduty: `throughline-problem-${id}` },
    });
    const res = await w.signed(
      `/api/v1/integrations/${jiraId}/pagerduty-webhook`,
      'x-pagerduty-signature',
      'v1=',
      'jira-inbound-secret',
      {
        event: {
          event_type: 'incident.resolved',
          occurred_at: new Date(Date.now() + 1000).toISOString(),
          data: { incident_key: `throughline-problem-${id}` },
        },
      },
    );
    expect(res.statusCode).toBe(404);
    expect((await w.get(id)).status).toBe('fixing');
  });

  it('an unknown integration id answers as a bad signature does', async () => {
    const w = await world();
    const { id: jiraId } = await withJira(w);
    const body = { timestamp: Date.now(), changelog: toInProgress, issue: jiraIssue('X-1', 'new') };
    const url = (i: string) => `/api/v1/integrations/${i}/jira-webhook`;
    const unknown = await w.signed(
      url('nope'),
      'x-hub-signature',
      'sha256=',
      'jira-inbound-secret',
      body,
    );
    const badSig = await w.signed(url(jiraId), 'x-hub-signature', 'sha256=', 'wrong', body);
    expect(badSig.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(badSig.statusCode);
    expect(unknown.json()).toEqual(badSig.json());
  });
});
