import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { eraseCustomer } from '../privacy/erase.js';

/**
 * An erasure done outside the server (`throughline customer erase`, the retention job, another
 * node) deletes the customer's corrections in the database; the running server's model must
 * forget them too, without waiting for someone to correct a message or read the model.
 */
describe('the triage model follows corrections changed outside this process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite', {}, { triageWatchMs: 50 });
  });
  afterAll(() => t.close());

  it('rebuilds without an erased customer’s corrections on its own', async () => {
    const sent = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: t.auth,
      payload: aMessage({ text: 'the zorblax gadget thing is acting up today' }),
    });
    expect(sent.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const msg = await t.app.database.db
      .selectFrom('messages')
      .select(['id', 'customer_id'])
      .where('direction', '=', 'in')
      .executeTakeFirstOrThrow();
    const corrected = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/messages/${msg.id}/triage`,
      headers: t.auth,
      payload: { topic: 'device', complaint: true },
    });
    expect(corrected.statusCode, corrected.body).toBe(201);
    const learned = t.app.triage.currentVersion!;
    expect(learned.corrections).toBe(1);

    // As the CLI does it: straight on the database, no route of this server called.
    await eraseCustomer(
      t.app.database.db,
      t.app.workspace.workspaceId,
      msg.customer_id!,
      { type: 'cli', id: null },
      Date.now(),
    );
    await vi.waitFor(() => expect(t.app.triage.currentVersion?.corrections).toBe(0), {
      timeout: 5_000,
      interval: 50,
    });
    expect(t.app.triage.currentVersion?.version).not.toBe(learned.version);
  });
});
