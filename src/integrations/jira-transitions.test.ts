import { describe, expect, it } from 'vitest';
import {
  closeWorldsAfterEach,
  jiraIssue,
  toInProgress,
  withJira,
  world,
} from './testing/escalation-world.js';

/** Jira issues follow the problem through Jira's transition flow, against the fake workflow. */
closeWorldsAfterEach();

type Jira = Awaited<ReturnType<typeof withJira>>['jira'];
/** The transitions posted, as `<key> <id>`, checking the documented body on the way. */
const posted = (jira: Jira) =>
  jira.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/transitions'))
    .map((r) => {
      expect(r.body).toEqual({ transition: { id: expect.any(String) } });
      expect(r.headers.authorization).toMatch(/^Basic /);
      return `${r.path.split('/')[5]} ${(r.body as { transition: { id: string } }).transition.id}`;
    });

describe('Jira issues are transitioned with the problem', () => {
  it('fixed: to a done-category status; reopened: back to an in-progress one; closed: stays done', async () => {
    const w = await world();
    const { jira } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('To Do');
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('In Progress');
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('Done');
    // Listed first: the documented GET of the transitions offered.
    expect(jira.requests.some((r) => r.method === 'GET' && r.path.endsWith('/transitions'))).toBe(
      true,
    );
    await w.change(id, { status: 'fixing' }); // reopened
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('In Progress');
    await w.change(id, { status: 'fixed' });
    await w.drain();
    await w.change(id, { status: 'closed' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('Done');
    // The close found the issue done already and moved nothing.
    expect(posted(jira)).toEqual(['PROB-1 21', 'PROB-1 31', 'PROB-1 21', 'PROB-1 31']);
    expect((await w.escalations()).every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a change made by a Jira status webhook does not transition Jira back', async () => {
    const w = await world();
    const { jira, hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    // Jira's webhook says In Progress; the fake still shows To Do, so only the origin of the
    // change keeps the adapter from moving the issue itself.
    await hook({
      timestamp: Date.now() + 1000,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
    await w.drain();
    expect(posted(jira)).toEqual([]);
    // Done in Jira: the problem is fixed, and the issue is left where Jira put it.
    jira.setStatus('PROB-1', 'Done');
    await hook({
      timestamp: Date.now() + 2000,
      changelog: { items: [{ field: 'status', fromString: 'In Progress', toString: 'Done' }] },
      issue: jiraIssue('PROB-1', 'done'),
    });
    expect((await w.get(id)).status).toBe('fixed');
    await w.drain();
    expect(posted(jira)).toEqual([]);
    expect(jira.statusOf('PROB-1')).toBe('Done');
    // A person's reopening in Throughline does move it.
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('In Progress');
  });

  it('named transitions are used where a category has several', async () => {
    const w = await world();
    const statuses = [
      { id: '1', name: 'Open', category: 'new' as const },
      { id: '2', name: 'Working', category: 'indeterminate' as const },
      { id: '3', name: "Won't fix", category: 'done' as const },
      { id: '4', name: 'Resolved', category: 'done' as const },
    ];
    const transitions = [
      { id: '5', name: 'Start', to: 'Working' },
      { id: '6', name: 'Decline', to: "Won't fix" },
      { id: '7', name: 'Resolve', to: 'Resolved' },
    ];
    const { jira } = await withJira(
      w,
      { statuses, transitions },
      { doneTransition: 'resolve', reopenTransition: 'Working' },
    );
    const id = await w.problem();
    await w.drain();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('Resolved');
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('Working');
  });

  it('no fitting transition: the comment goes out, the row is given up with a note the admin sees', async () => {
    const w = await world();
    const { jira, id: jiraId } = await withJira(w, {
      transitions: [{ id: '21', name: 'Start', to: 'In Progress' }],
    });
    const id = await w.problem();
    await w.drain();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('To Do');
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    const rows = await w.escalations();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'failed']);
    expect(Number(rows[1].attempts)).toBe(1);
    expect(rows[1].last_error).toContain('no transition to a done-category status');
    const list = await w.app.app.http.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: w.app.auth,
    });
    const mine = list.json().items.find((i: { id: string }) => i.id === jiraId);
    expect(mine.delivery.lastFailure.error).toContain('Start → In Progress');
  });

  it('transition names in the config are checked like the other fields', async () => {
    const w = await world();
    const add = (extra: Record<string, unknown>) =>
      w.app.app.http.inject({
        method: 'POST',
        url: '/api/v1/integrations',
        headers: w.app.auth,
        payload: {
          kind: 'jira',
          name: 'j',
          config: {
            baseUrl: 'https://x.atlassian.net',
            projectKey: 'OPS',
            email: 'a@b.c',
            ...extra,
          },
          secrets: { apiToken: 't' },
        },
      });
    const ok = await add({ doneTransition: 'Resolve', reopenTransition: 'In Progress' });
    expect(ok.statusCode, ok.body).toBe(201);
    const bad = await add({ doneTransition: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('config.doneTransition must be a non-empty string');
  });
});

describe('two Jira integrations', () => {
  /**
   * Both integrations' changes were recorded as made by the one actor `jira`, so a change that
   * came from Jira A's webhook was taken for one from Jira B too: B's issue was never moved and
   * stayed behind the problem. The loop guard is per integration now.
   */
  it("a change from Jira A's webhook moves Jira B's issue, and not A's", async () => {
    const w = await world();
    const a = await withJira(w);
    const b = await withJira(w);
    const id = await w.problem();
    await w.drain();
    expect(a.jira.statusOf('PROB-1')).toBe('To Do');
    expect(b.jira.statusOf('PROB-1')).toBe('To Do');
    // A's team starts work in A's Jira (the fake still shows To Do: only the change's origin
    // keeps A's adapter from moving it).
    expect(
      (
        await a.hook({
          timestamp: Date.now() + 1000,
          changelog: toInProgress,
          issue: jiraIssue('PROB-1', 'indeterminate'),
        })
      ).statusCode,
    ).toBe(200);
    expect((await w.get(id)).status).toBe('fixing');
    await w.drain();
    expect(posted(a.jira)).toEqual([]);
    expect(b.jira.statusOf('PROB-1')).toBe('In Progress');
    // And done there: B's issue follows, A's is left where Jira put it.
    a.jira.setStatus('PROB-1', 'Done');
    await a.hook({
      timestamp: Date.now() + 2000,
      changelog: { items: [{ field: 'status', fromString: 'In Progress', toString: 'Done' }] },
      issue: jiraIssue('PROB-1', 'done'),
    });
    expect((await w.get(id)).status).toBe('fixed');
    await w.drain();
    expect(posted(a.jira)).toEqual([]);
    expect(b.jira.statusOf('PROB-1')).toBe('Done');
    // The history says which integration the change came from.
    const history = (await w.get(id)).history as { type: string; actor: string | null }[];
    expect(history.filter((h) => h.type === 'status_changed').map((h) => h.actor)).toContain(
      `jira:${a.id}`,
    );
  });
});
