import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../src/platform/realtime/bus.js';
import { aMessage, type TestApp, testApp } from './builders.js';

/** Two nodes on one PostgreSQL database, as in a scale-out deployment. */
describe('several nodes on PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await testApp('postgres');
    b = await testApp('postgres', { databaseUrl: a.app.config.databaseUrl });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const eventually = async (check: () => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('relays live events to the other node over LISTEN/NOTIFY, once', async () => {
    const seenOnB: LiveEvent[] = [];
    const seenOnA: LiveEvent[] = [];
    b.app.bus.subscribe((e) => seenOnB.push(e));
    a.app.bus.subscribe((e) => seenOnA.push(e));
    a.app.bus.publish({ type: 'case.updated', workspaceId: 'default', data: { caseId: 'c-1' } });
    await eventually(() => seenOnB.length > 0);
    expect(seenOnB[0]).toMatchObject({ type: 'case.updated', data: { caseId: 'c-1' } });
    // Not echoed back to the node that published it. PostgreSQL delivers notifications in
    // commit order, so once A hears B's later event, an echo of its own would already be here.
    b.app.bus.publish({ type: 'case.updated', workspaceId: 'default', data: { caseId: 'c-2' } });
    await eventually(() => seenOnA.length > 1);
    expect(seenOnA.map((e) => e.data)).toEqual([{ caseId: 'c-1' }, { caseId: 'c-2' }]);
  });

  it('wakes the other node’s pipeline when one node logs inbound events', async () => {
    const wake = vi.spyOn(b.app.pipeline, 'notify');
    const res = await a.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: a.auth,
      payload: aMessage(),
    });
    expect(res.statusCode).toBe(202);
    await eventually(() => wake.mock.calls.length > 0);
    // Either node may now process it; batches take turns, so they never take the same events.
    const [na, nb] = await Promise.all([a.app.pipeline.drain(), b.app.pipeline.drain()]);
    expect(na + nb).toBe(1);
  });

  it('two nodes draining one backlog at once process every event exactly once', async () => {
    const msgs = Array.from({ length: 600 }, (_, i) =>
      aMessage({ author: { id: `cluster-${i % 150}` }, visibility: 'private', channel: 'sms' }),
    );
    for (let i = 0; i < msgs.length; i += 200) {
      await a.app.http.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        headers: a.auth,
        payload: { messages: msgs.slice(i, i + 200) },
      });
    }
    const [na, nb] = await Promise.all([a.app.pipeline.drain(), b.app.pipeline.drain()]);
    expect(na + nb).toBeGreaterThanOrEqual(600);
    const stored = await a.app.database.db
      .selectFrom('messages')
      .select('external_id')
      .where(
        'external_id',
        'in',
        msgs.map((m) => m.externalId),
      )
      .execute();
    expect(stored).toHaveLength(600);
    const pending = await a.app.database.db
      .selectFrom('inbound_events')
      .select('seq')
      .where('status', '!=', 'done')
      .execute();
    expect(pending).toHaveLength(0);
  });
});
