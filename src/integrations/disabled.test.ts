import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import {
  closeWorldsAfterEach,
  fakes,
  jiraIssue,
  toInProgress,
  type World,
  withJira,
  world,
} from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * Events queued for an integration that is then disabled were taken as delivered though never
 * sent. They wait, pending, and go out in order when it is enabled again (dispatch.ts).
 */
closeWorldsAfterEach();

const patch = (w: World, id: string, payload: object) =>
  w.app.app.http.inject({
    method: 'PATCH',
    url: `/api/v1/integrations/${id}`,
    headers: w.app.auth,
    payload,
  });

async function delivery(w: World) {
  const res = await w.app.app.http.inject({
    method: 'GET',
    url: '/api/v1/integrations',
    headers: w.app.auth,
  });
  return (res.json() as { items: { delivery: Record<string, unknown> }[] }).items[0].delivery;
}

describe('events queued before their integration is disabled', () => {
  it('stay pending, unsent, while it is disabled and go out in order when it is enabled', async () => {
    const w = await world();
    const hook = await startFake(() => ({ status: 200 }));
    fakes.push(hook);
    const id = await w.add(
      'webhook',
      { url: `${hook.url}/hook` },
      { secret: 'webhook-secret-0123456789' },
    );
    const problem = await w.problem();
    await w.change(problem, { owner: 'Field services' });
    expect((await patch(w, id, { enabled: false })).statusCode).toBe(200);
    await w.drain();
    // Made due again while still disabled: still not sent, not an attempt.
    await w.db.updateTable('outbox').set({ next_attempt_at: 0 }).execute();
    await w.drain();
    expect(hook.requests.length).toBe(0);
    const held = await w.escalations();
    expect(held.map((r) => [r.status, Number(r.attempts)])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(await delivery(w)).toMatchObject({
      pending: 2,
      failed: 0,
      lastDeliveredAt: null,
      retrying: null,
    });
    // Events while disabled are not queued for it at all.
    await w.change(problem, { status: 'fixing' });
    expect((await w.escalations()).length).toBe(2);

    expect((await patch(w, id, { enabled: true })).statusCode).toBe(200);
    // Enabling makes them due at once, not at their next look minutes later.
    for (const r of await w.escalations())
      expect(Number(r.next_attempt_at)).toBeLessThanOrEqual(Date.now());
    await w.drain();
    expect(hook.requests.map((r) => r.headers['x-throughline-event'])).toEqual([
      'problem.opened',
      'problem.updated',
    ]);
    expect((await w.escalations()).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(await delivery(w)).toMatchObject({ pending: 0, failed: 0 });
  });
});

describe.each(ENGINES)('a disabled integration’s status webhooks on %s', (engine) => {
  it('are refused, correctly signed, as an unknown id’s are, and move no problem', async () => {
    const w = await world(engine);
    const { id, hook } = await withJira(w);
    const problem = await w.problem();
    await w.drain();
    const before = await w.get(problem);
    expect(before.externalRefs.jira).toBe('PROB-1');
    expect(before.status).not.toBe('fixing');
    expect((await patch(w, id, { enabled: false })).statusCode).toBe(200);
    const body = {
      timestamp: Date.now() + 1000,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    };
    const res = await hook(body);
    const unknown = await w.signed(
      '/api/v1/integrations/nope/jira-webhook',
      'x-hub-signature',
      'sha256=',
      'jira-inbound-secret',
      { webhookEvent: 'jira:issue_updated', ...body },
    );
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(unknown.json());
    expect((await w.get(problem)).status).toBe(before.status);
    // Enabled again, the same signed change is heard: the refusal was the disabling's.
    expect((await patch(w, id, { enabled: true })).statusCode).toBe(200);
    expect((await hook(body)).statusCode).toBe(200);
    expect((await w.get(problem)).status).toBe('fixing');
  });
});
