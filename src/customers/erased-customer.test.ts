import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/**
 * An erased customer record keeps de-identified rows (case ids, times, topics, ratings): nothing
 * may tie a person to it again, neither a merge, an added address, an edit nor new traffic.
 */
describe.each(ENGINES)('an erased customer stays erased on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, idsOf } = careWorld(() => t);
  const of = (m: InboundMessage) => idsOf(m.externalId);
  const erase = async (customerId: string) => {
    const res = await api('POST', `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('refuses merges into and out of it, new identities and edits', async () => {
    const gone = aMessage({
      channel: 'email',
      visibility: 'private',
      author: { id: 'erin.gone@example.com', name: 'Erin Gone' },
    });
    const live = aMessage({
      channel: 'whatsapp',
      visibility: 'private',
      author: { id: '+14155550177', name: 'Bea Live' },
    });
    await ingest(gone, live);
    const erased = (await of(gone)).customer_id!;
    const liveId = (await of(live)).customer_id!;
    await erase(erased);

    for (const [survivor, merged] of [
      [erased, liveId],
      [liveId, erased],
    ]) {
      const res = await api('POST', `/api/v1/customers/${survivor}/merge`, {
        customerId: merged,
        reason: 'same person',
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'invalid_transition' });
      expect(res.json().error.message).toMatch(/erased/);
    }
    const bea = (await api('GET', `/api/v1/customers/${liveId}`)).json();
    expect(bea).toMatchObject({ displayName: 'Bea Live', mergedInto: null });
    expect(bea.identities).toHaveLength(1);

    const added = await api('POST', `/api/v1/customers/${erased}/identities`, {
      channel: 'email',
      address: 'erin.gone@example.com',
      verified: true,
    });
    expect(added.statusCode, added.body).toBe(422);
    expect(added.json().error.message).toMatch(/erased/);
    const edited = await api('PATCH', `/api/v1/customers/${erased}`, { displayName: 'Erin Gone' });
    expect(edited.statusCode, edited.body).toBe(422);
    const after = (await api('GET', `/api/v1/customers/${erased}`)).json();
    expect(after).toMatchObject({ displayName: '[erased]', identities: [] });
  });

  it('sends their later traffic, replies to their erased posts too, to a new record', async () => {
    const post = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-4411', handle: 'gonehandle', name: 'Gone Person' },
      text: 'my fibre is down again',
    });
    await ingest(post);
    const before = await of(post);
    await erase(before.customer_id!);

    const again = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-4411', handle: 'gonehandle', name: 'Gone Person' },
      text: 'still down',
    });
    const reply = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-4411', handle: 'gonehandle', name: 'Gone Person' },
      text: 'anyone there?',
      inReplyTo: post.externalId,
    });
    const stranger = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-5522', handle: 'stranger' },
      text: 'same here',
      inReplyTo: post.externalId,
    });
    await ingest(again, reply, stranger);
    for (const m of [again, reply, stranger]) {
      const row = await of(m);
      expect(row.customer_id, m.text).not.toBe(before.customer_id);
      expect(row.case_id, m.text).not.toBe(before.case_id);
    }
    const erasedCase = (await api('GET', `/api/v1/cases/${before.case_id}`)).json();
    expect(erasedCase.messages.map((m: { text: string }) => m.text)).toEqual(['[erased]']);
    const record = (await api('GET', `/api/v1/customers/${before.customer_id}`)).json();
    expect(record).toMatchObject({ displayName: '[erased]', identities: [] });
    expect(record.cases.map((c: { id: string }) => c.id)).toEqual([before.case_id]);
  });
});
