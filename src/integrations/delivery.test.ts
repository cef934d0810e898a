import { describe, expect, it } from 'vitest';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import {
  closeWorldsAfterEach,
  fakes,
  jiraIssue,
  ROUTING_KEY,
  withJira,
  world,
} from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * Delivering escalations: a Jira issue is created once (found by its label after a lost answer),
 * rows go out one at a time per integration and problem even with several workers, refs survive
 * concurrent deliveries, Slack text is escaped and provider errors keep no secrets.
 */
closeWorldsAfterEach();

describe('Jira issue creation is idempotent', () => {
  it('a create whose answer is lost is found by its label on retry, not made twice', async () => {
    const w = await world();
    const { jira } = await withJira(w, { loseFirstCreateAnswer: true });
    const id = await w.problem();
    await w.drain();
    const [row] = await w.escalations();
    expect(row.status).toBe('pending');
    expect(row.last_error).toContain('temporary');
    await w.db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', row.id).execute();
    await w.drain();
    const creates = jira.requests.filter((r) => r.path === '/rest/api/3/issue');
    expect(creates.length).toBe(1);
    expect((await w.get(id)).externalRefs.jira).toBe('PROB-1');
    expect((await w.escalations())[0].status).toBe('delivered');
    // Later events comment on that issue.
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
  });
});

describe('two Jira integrations (two sites or projects)', () => {
  it("each makes and keeps its own issue, and each one's status webhook finds the problem", async () => {
    const w = await world();
    const a = await withJira(w);
    const b = await withJira(w);
    const id = await w.problem();
    await w.drain();
    const refs = (await w.get(id)).externalRefs;
    // Both sites number their first issue PROB-1; each integration keeps its own.
    expect(refs).toEqual({
      jira: 'PROB-1',
      [`jira:${a.id}`]: 'PROB-1',
      [`jira:${b.id}`]: 'PROB-1',
    });
    for (const { jira } of [a, b]) {
      expect(jira.requests.filter((r) => r.path === '/rest/api/3/issue').length).toBe(1);
    }
    // Later events comment on each site's own issue (before: the second site was sent the
    // first one's key, and commented on an issue it does not have).
    await w.change(id, { status: 'fixing' });
    await w.drain();
    for (const { jira } of [a, b]) {
      expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    }
    expect((await w.escalations()).map((r) => r.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    // The second site's "done" webhook fixes the problem.
    const done = await b.hook({
      issue: jiraIssue('PROB-1', 'done'),
      changelog: { items: [{ field: 'status', fromString: 'In Progress', toString: 'Done' }] },
      timestamp: Date.now() + 1000,
    });
    expect(done.statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
  });

  it('a hand-set Jira reference is used while no integration has an issue of its own', async () => {
    const w = await world();
    const { jira, id: jiraId } = await withJira(w);
    await w.problem();
    await w.drain(); // PROB-1
    // A person links a second problem to that issue before its escalation goes out.
    const second = await w.problem('Same fibre cut, other exchange');
    await w.change(second, { externalRefs: { jira: 'PROB-1' }, silent: true });
    await w.drain();
    expect(jira.requests.filter((r) => r.path === '/rest/api/3/issue').length).toBe(1);
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    expect((await w.get(second)).externalRefs).toEqual({
      jira: 'PROB-1',
      [`jira:${jiraId}`]: 'PROB-1',
    });
  });
});

describe('concurrent deliveries (PostgreSQL, several workers)', () => {
  it('two rows for one problem and one Jira make one issue, in order, and keep every ref', async () => {
    const w = await world('postgres');
    const { jira, id: jiraId } = await withJira(w, { delayMs: 300 });
    const pd = await startFakePagerDuty();
    fakes.push(pd);
    const pdId = await w.add(
      'pagerduty',
      { eventsUrl: `${pd.url}/v2/enqueue` },
      { routingKey: ROUTING_KEY },
    );
    const id = await w.problem();
    await w.change(id, { owner: 'Field services' }); // a second row per integration: problem.updated
    await Promise.all([1, 2, 3, 4].map(() => w.app.app.outbox.runOnce(1)));
    // What was deferred goes out once it is due.
    for (let i = 0; i < 5 && (await w.escalations()).some((r) => r.status === 'pending'); i++) {
      await w.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('status', '=', 'pending')
        .execute();
      await w.drain();
    }
    const rows = await w.escalations();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    // Waiting for the earlier row is not a failed attempt.
    for (const r of rows) expect(Number(r.attempts)).toBeLessThanOrEqual(1);
    const jiraCalls = jira.requests.map(
      (r) => `${r.method} ${new URL(r.path, 'http://x').pathname}`,
    );
    expect(jiraCalls).toEqual([
      'GET /rest/api/3/search/jql',
      'POST /rest/api/3/issue',
      'POST /rest/api/3/issue/PROB-1/comment',
    ]);
    const refs = (await w.get(id)).externalRefs;
    expect(refs).toEqual({
      jira: 'PROB-1',
      [`jira:${jiraId}`]: 'PROB-1',
      pagerduty: `throughline-problem-${id}`,
      [`pagerduty:${pdId}`]: `throughline-problem-${id}`,
    });
  });

  it('the PagerDuty and Jira rows of one event, delivered at once, both keep their ref', async () => {
    const w = await world('postgres');
    const { id: jiraId } = await withJira(w, { delayMs: 100 });
    const pd = await startFake(async (r) => {
      await new Promise((res) => setTimeout(res, 600));
      return {
        status: 202,
        body: { status: 'success', dedup_key: (r.body as { dedup_key?: string }).dedup_key },
      };
    });
    fakes.push(pd);
    const pdId = await w.add(
      'pagerduty',
      { eventsUrl: `${pd.url}/v2/enqueue` },
      { routingKey: ROUTING_KEY },
    );
    const id = await w.problem();
    await Promise.all([w.app.app.outbox.runOnce(1), w.app.app.outbox.runOnce(1)]);
    expect((await w.get(id)).externalRefs).toEqual({
      jira: 'PROB-1',
      [`jira:${jiraId}`]: 'PROB-1',
      pagerduty: `throughline-problem-${id}`,
      [`pagerduty:${pdId}`]: `throughline-problem-${id}`,
    });
  });

  it('a row waiting for an earlier one keeps its attempts however long it waits', async () => {
    const w = await world();
    const jira = await startFake(() => ({ status: 503, body: { errorMessages: ['down'] } }));
    fakes.push(jira);
    await w.add(
      'jira',
      { baseUrl: jira.url, projectKey: 'OPS', email: 'bot@example.com' },
      { apiToken: 'tok' },
    );
    const id = await w.problem();
    await w.change(id, { owner: 'Field services' });
    for (let i = 0; i < 10; i++) {
      const rows = await w.escalations();
      // Only the later row is made due: the first stays in its back-off.
      await w.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('id', '=', rows[1].id)
        .execute();
      await w.app.app.outbox.runOnce(50);
    }
    const [first, second] = await w.escalations();
    expect(first.status).toBe('pending');
    expect(second.status).toBe('pending');
    expect(Number(second.attempts)).toBe(0);
    expect(second.last_error).toContain('waiting for an earlier escalation');
    // Its next look is soon, not after the earlier row's back-off.
    expect(Number(second.next_attempt_at) - Date.now()).toBeLessThanOrEqual(5_000);
  });
});

describe('Slack and error text', () => {
  it('Slack: the top-level text fallback is mrkdwn-escaped like the blocks', async () => {
    const w = await world();
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXXSECRET` });
    await w.problem('Outage <!channel> & <https://evil.example|click>');
    await w.drain();
    const b = slack.requests[0].body as { text: string };
    expect(b.text).not.toContain('<!channel>');
    expect(b.text).toContain('Outage &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect((await w.escalations())[0].status).toBe('delivered');
  });

  it('provider error bodies echoing credentials are scrubbed before the outbox keeps them', async () => {
    const w = await world();
    const echo = await startFake((r) => ({
      status: 400,
      body: { status: 'invalid event', echo: r.body, auth: r.headers.authorization },
    }));
    fakes.push(echo);
    await w.add('pagerduty', { eventsUrl: `${echo.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    await w.add(
      'jira',
      { baseUrl: echo.url, projectKey: 'OPS', email: 'bot@example.com' },
      { apiToken: 'jira-token-secret' },
    );
    await w.add('webhook', { url: `${echo.url}/hook` }, { secret: 'whsec-echo-secret-000' });
    await w.problem();
    await w.drain();
    const rows = await w.escalations();
    expect(rows).toHaveLength(3);
    const basic = Buffer.from('bot@example.com:jira-token-secret').toString('base64');
    for (const r of rows) {
      expect(r.status).toBe('failed');
      expect(r.last_error).toContain('rejected 400');
      expect(r.last_error).not.toContain(ROUTING_KEY);
      expect(r.last_error).not.toContain('jira-token-secret');
      expect(r.last_error).not.toContain(basic);
    }
  });
});

describe('a refused event is not retried, and the admin sees it', () => {
  it('a PagerDuty 400 fails the event at once and shows in GET /api/v1/integrations', async () => {
    const w = await world();
    let refuse = true;
    const pd = await startFake((r) =>
      refuse
        ? {
            status: 400,
            body: {
              status: 'invalid event',
              message: 'Event object is invalid',
              errors: ["'payload.summary' is required."],
            },
          }
        : {
            status: 202,
            body: { status: 'success', dedup_key: (r.body as { dedup_key: string }).dedup_key },
          },
    );
    fakes.push(pd);
    const pdId = await w.add(
      'pagerduty',
      { eventsUrl: `${pd.url}/v2/enqueue` },
      { routingKey: ROUTING_KEY },
    );
    const id = await w.problem();
    await w.drain();
    const [row] = await w.escalations();
    // Not retried: PagerDuty would refuse it again.
    expect(row.status).toBe('failed');
    expect(Number(row.attempts)).toBe(1);
    expect(pd.requests).toHaveLength(1);
    const list = async () =>
      (
        await w.app.app.http.inject({
          method: 'GET',
          url: '/api/v1/integrations',
          headers: w.app.auth,
        })
      ).json().items as { id: string; delivery: Record<string, unknown> }[];
    const shown = (await list()).find((i) => i.id === pdId)!;
    expect(shown.delivery).toMatchObject({
      pending: 0,
      failed: 1,
      lastDeliveredAt: null,
      lastFailure: { event: 'problem.opened', problemId: id, attempts: 1 },
    });
    expect(String((shown.delivery.lastFailure as { error: string }).error)).toContain(
      'rejected 400',
    );
    expect(String((shown.delivery.lastFailure as { error: string }).error)).not.toContain(
      ROUTING_KEY,
    );
    // A later event that goes through does not hide the one missing at PagerDuty.
    refuse = false;
    await w.change(id, { status: 'fixing' });
    await w.drain();
    const after = (await list()).find((i) => i.id === pdId)!;
    expect(after.delivery.failed).toBe(1);
    expect(after.delivery.lastDeliveredAt).not.toBeNull();
    expect(after.delivery.lastFailure).toMatchObject({ event: 'problem.opened' });
  });
});
