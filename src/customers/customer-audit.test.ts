import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/** The audit log is append-only and outlives an erasure: it names ids and fields, never people. */
describe.each(ENGINES)('customer audit entries on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, idsOf } = careWorld(() => t);
  const of = (m: InboundMessage) => idsOf(m.externalId);

  it('hold no address, phone number or reason text, and survive erasure without them', async () => {
    const post = aMessage({ channel: 'x', author: { id: 'x-901', handle: 'ortolan_k' } });
    const sms = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550177' } });
    await ingest(post, sms);
    const { customer_id: id, case_id: caseId } = await of(post);
    const other = (await of(sms)).customer_id;
    const added = await api('POST', `/api/v1/customers/${id}/identities`, {
      channel: 'email',
      address: 'kit.ortolan@example.com',
      verified: false,
    });
    expect(added.statusCode, added.body).toBeLessThan(300);
    const moved = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'sms',
      address: '+14155550188',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const merged = await api('POST', `/api/v1/customers/${id}/merge`, {
      customerId: other,
      reason: 'Kit Ortolan said +14155550177 is her work phone',
    });
    expect(merged.statusCode, merged.body).toBe(201);
    const undone = await api('POST', `/api/v1/customer-merges/${merged.json().mergeId}/unmerge`, {
      reason: 'Kit Ortolan took it back',
    });
    expect(undone.statusCode, undone.body).toBe(200);

    const log = await api('GET', '/api/v1/audit?action=customer.&limit=100');
    expect(log.statusCode).toBe(200);
    const actions = log.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['customer.identity_added', 'customer.merge', 'customer.unmerge']),
    );
    const added2 = log
      .json()
      .items.filter((e: { action: string }) => e.action === 'customer.identity_added');
    expect(added2).toHaveLength(2);
    for (const e of added2) expect(e.data).toMatchObject({ identityId: expect.any(String) });
    expect(added2.map((e: { data: { channel: string } }) => e.data.channel).sort()).toEqual([
      'email',
      'sms',
    ]);
    for (const secret of ['kit.ortolan', '4155550188', '4155550177', 'Ortolan'])
      expect(log.body, secret).not.toContain(secret);

    expect((await api('POST', `/api/v1/customers/${id}/erase`, { confirm: true })).statusCode).toBe(
      200,
    );
    const after = await api('GET', '/api/v1/audit?limit=500');
    for (const secret of ['kit.ortolan', '4155550188', 'Ortolan'])
      expect(after.body, secret).not.toContain(secret);
  });
});
