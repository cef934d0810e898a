import { describe, expect, it } from 'vitest';
import { closeWorldsAfterEach, fakes, type World, world } from './testing/escalation-world.js';
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
