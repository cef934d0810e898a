import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { caseEvent } from '../cases/case.store.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

const WHO = 'Zelda Pennywhistle';

/** What people wrote about a customer around their case, not only in its messages and notes. */
describe.each(ENGINES)('erasure of a case’s history texts on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest, idsOf } = careWorld(() => t);
  const ws = () => t.app.workspace.workspaceId;
  const of = (m: InboundMessage) => idsOf(m.externalId);

  it('erases status reasons, promise outcomes, suggested apologies and merge reasons', async () => {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550142' } });
    const other = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550143' },
    });
    await ingest(m, other);
    const { customer_id: customerId, case_id: caseId } = await of(m);
    const changed = await api('PATCH', `/api/v1/cases/${caseId}`, {
      status: 'pending',
      statusReason: 'customer',
      reason: `waiting on ${WHO} to send her meter photo`,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const promise = await api('POST', `/api/v1/cases/${caseId}/promises`, {
      kind: 'callback',
      description: 'call back',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(promise.statusCode, promise.body).toBe(201);
    const kept = await api('POST', `/api/v1/promises/${promise.json().id}/keep`, {
      how: `called ${WHO} on her mobile`,
    });
    expect(kept.statusCode, kept.body).toBe(200);
    // As the scheduler writes it when a promise breaks.
    await caseEvent(
      db(),
      ws(),
      caseId!,
      { type: 'system', id: 'scheduler' },
      'apology_suggested',
      { promiseId: promise.json().id, text: `Dear ${WHO}, we are sorry` },
      Date.now(),
    );
    // A merge undone with a reason naming her.
    const merged = await api('POST', `/api/v1/customers/${customerId}/merge`, {
      customerId: (await of(other)).customer_id,
      reason: `${WHO} said this was her second phone`,
    });
    expect(merged.statusCode, merged.body).toBe(201);
    const undone = await api('POST', `/api/v1/customer-merges/${merged.json().mergeId}/unmerge`, {
      reason: `${WHO} corrected it`,
    });
    expect(undone.statusCode, undone.body).toBe(200);
    expect((await api('GET', `/api/v1/cases/${caseId}`)).body).toContain(WHO);

    const erased = await api('POST', `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(erased.statusCode, erased.body).toBe(200);
    for (const url of [
      `/api/v1/cases/${caseId}`,
      `/api/v1/customers/${customerId}/merges`,
      `/api/v1/customers/${customerId}/export`,
      `/api/v1/promises?case=${caseId}`,
    ]) {
      const res = await api('GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('Pennywhistle');
    }
    const stored = [
      ...(await db().selectFrom('case_events').select('data_json').execute()).map(
        (r) => r.data_json,
      ),
      ...(await db().selectFrom('promises').select('settled_how').execute()).map(
        (r) => r.settled_how,
      ),
      ...(
        await db().selectFrom('customer_merges').select(['reason', 'undo_reason']).execute()
      ).flatMap((r) => [r.reason, r.undo_reason]),
    ];
    expect(stored.filter((x) => x?.includes('Pennywhistle'))).toEqual([]);
    // Ids, kinds and times stay: the history still says what happened, and when.
    const history = await db()
      .selectFrom('case_events')
      .select(['type', 'data_json'])
      .where('case_id', '=', caseId!)
      .execute();
    const status = history.find((h) => h.type === 'status_changed');
    expect(JSON.parse(status!.data_json)).toMatchObject({
      to: 'pending',
      reason: 'customer',
      why: '[erased]',
    });
    const keptEntry = history.find((h) => h.type === 'promise_kept');
    expect(JSON.parse(keptEntry!.data_json)).toMatchObject({
      promiseId: promise.json().id,
      how: '[erased]',
    });
  });
});
