import { describe, expect, it } from 'vitest';
import { closeWorldsAfterEach, fakes, ROUTING_KEY, world } from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * Outbound requests do not follow redirects (http.ts, `redirectFailure`): fetch turned a POST
 * answered 301/302 into a GET without the event, the receiver answered that 200, and the row
 * was marked delivered though nothing arrived.
 */
closeWorldsAfterEach();

/** A receiver that has moved: POSTs are redirected, and the new place answers anything 200. */
async function moved(status: number) {
  const fake = await startFake((r) =>
    r.path.startsWith('/new')
      ? { status: 200, body: { ok: true } }
      : { status, headers: { location: `/new${r.path}` }, body: 'moved' },
  );
  fakes.push(fake);
  return fake;
}

describe('a redirecting receiver', () => {
  for (const status of [301, 302, 307]) {
    it(`webhook: a ${status} fails the event at once, naming the status and the Location`, async () => {
      const w = await world();
      const hook = await moved(status);
      await w.add('webhook', { url: `${hook.url}/hook` }, { secret: 'webhook-secret-0123456789' });
      await w.problem();
      await w.drain();
      const [row] = await w.escalations();
      // Before: the redirect was followed (a 302 as a GET without the body) and counted delivered.
      expect(hook.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hook']);
      expect(row.status).toBe('failed');
      expect(Number(row.attempts)).toBe(1);
      expect(row.last_error).toContain(`bad_request: redirected (${status}) to /new/hook`);
    });
  }

  it('Slack and PagerDuty (sendJson): a 301 fails with its Location, credentials scrubbed', async () => {
    const w = await world();
    const slack = await moved(301);
    const pd = await moved(302);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXXSECRET` });
    await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    const id = await w.problem();
    await w.change(id, { status: 'confirmed' });
    await w.drain();
    expect(slack.requests.every((r) => r.method === 'POST')).toBe(true);
    expect(pd.requests.every((r) => r.method === 'POST')).toBe(true);
    const rows = await w.escalations();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.status).toBe('failed');
    const errors = rows.map((r) => r.last_error ?? '');
    expect(errors.some((e) => e.includes('redirected (302) to /new/v2/enqueue'))).toBe(true);
    // The Slack hook's path is its credential, and the Location echoes it.
    const slackError = errors.find((e) => e.includes('(301)'));
    expect(slackError).toContain('redirected (301) to /new***');
    expect(slackError).not.toContain('XXXXSECRET');
    const listed = await w.app.app.http.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: w.app.auth,
    });
    const { items } = listed.json() as { items: { delivery: { failed: number } }[] };
    const failures = items.map((i) => i.delivery.failed);
    expect(failures.length).toBe(2);
    expect(failures.every((n) => n >= 1)).toBe(true);
  });
});
