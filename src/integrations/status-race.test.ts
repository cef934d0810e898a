import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  backdate,
  closeWorldsAfterEach,
  withJira,
  withPagerDuty,
  world,
} from './testing/escalation-world.js';

/**
 * Two status webhooks about one problem arriving at the same instant: whichever the desk runs
 * first, the problem ends in the status of the event that happened last on the providers' clocks.
 * The stale check once ran before (and outside) the transaction that moved the problem, so both
 * passed it and the one applied last won, older or not (PostgreSQL, about a quarter of the
 * rounds). And an event of one provider that found the problem in its status already was not
 * counted against the other's older one (both engines, in either order).
 */
closeWorldsAfterEach();

const ROUNDS = 24;

/** A small deterministic generator (mulberry32): the shuffles are the same on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(['sqlite', 'postgres'] as const)('concurrent status webhooks on %s', (engine) => {
  it('the newer event wins whichever is applied first (Jira, PagerDuty, and one of each)', async () => {
    const w = await world(engine);
    const { id: jiraId } = await withJira(w);
    const { id: pdId } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    const key = (await w.get(id)).externalRefs.jira as string;
    expect((await w.get(id)).externalRefs.pagerduty).toBe(`throughline-problem-${id}`);
    // Raised long ago: nothing the desk did is newer than the events below.
    await backdate(w, id, 3_600_000);
    // Over a real loopback connection, as the providers call: each request is parsed, verified
    // and run as the server schedules it, not one after the other as the test wrote them.
    const base = await w.app.app.http.listen({ port: 0, host: '127.0.0.1' });
    const post = async (
      path: string,
      header: string,
      sig: string,
      secret: string,
      body: unknown,
    ) => {
      const raw = JSON.stringify(body);
      const mac = createHmac('sha256', secret).update(raw).digest('hex');
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [header]: `${sig}${mac}` },
        body: raw,
      });
      return { statusCode: res.status, body: await res.text() };
    };
    const start = Date.now() - 1_800_000;
    const jira = (to: 'fixing' | 'fixed', at: number) => () =>
      post(
        `/api/v1/integrations/${jiraId}/jira-webhook`,
        'x-hub-signature',
        'sha256=',
        'jira-inbound-secret',
        {
          webhookEvent: 'jira:issue_updated',
          timestamp: at,
          changelog: { items: [{ field: 'status', fromString: 'x', toString: to }] },
          issue: {
            key,
            fields: {
              status: { statusCategory: { key: to === 'fixed' ? 'done' : 'indeterminate' } },
            },
          },
        },
      );
    const pd = (to: 'fixing' | 'fixed', at: number) => () =>
      post(
        `/api/v1/integrations/${pdId}/pagerduty-webhook`,
        'x-pagerduty-signature',
        'v1=',
        'pd-inbound-secret',
        {
          event: {
            event_type: to === 'fixed' ? 'incident.resolved' : 'incident.reopened',
            occurred_at: new Date(at).toISOString(),
            data: { id: 'Q1', type: 'incident', incident_key: `throughline-problem-${id}` },
          },
        },
      );
    const senders = [
      [jira, jira],
      [pd, pd],
      [jira, pd],
      [pd, jira],
    ] as const;
    const rnd = random(6);
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each round's events are newer than every earlier round's.
      const older = start + round * 10_000;
      const newer = older + 1_000;
      const newTo = rnd() < 0.5 ? 'fixed' : 'fixing';
      const oldTo = newTo === 'fixed' ? 'fixing' : 'fixed';
      const [sendOld, sendNew] = senders[round % senders.length]!;
      const pair = [sendOld(oldTo, older), sendNew(newTo, newer)];
      const olderFirst = rnd() < 0.5;
      if (!olderFirst) pair.reverse();
      const answers = await Promise.all(pair.map((send) => send()));
      for (const a of answers) expect(a.statusCode, a.body).toBe(200);
      const status = (await w.get(id)).status;
      if (status !== newTo)
        wrong.push(`round ${round}: ${olderFirst ? 'older' : 'newer'} sent first, ${status}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});
