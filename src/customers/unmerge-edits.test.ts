import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/** An unmerge takes back what the merge brought, not what people changed on the survivor since. */
describe.each(ENGINES)('unmerge after edits to the survivor on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, idsOf } = careWorld(() => t);
  const customerOf = async (m: InboundMessage) => (await idsOf(m.externalId)).customer_id!;
  const read = async (id: string) => (await api('GET', `/api/v1/customers/${id}`)).json();
  const patch = async (id: string, body: unknown) =>
    expect((await api('PATCH', `/api/v1/customers/${id}`, body)).statusCode).toBe(200);
  const mergeThenUnmerge = async (
    survivor: string,
    merged: string,
    between: () => Promise<void>,
  ) => {
    const m = await api('POST', `/api/v1/customers/${survivor}/merge`, {
      customerId: merged,
      reason: 'same person',
    });
    expect(m.statusCode, m.body).toBe(201);
    await between();
    const u = await api('POST', `/api/v1/customer-merges/${m.json().mergeId}/unmerge`, {
      reason: 'not the same person',
    });
    expect(u.statusCode, u.body).toBe(200);
  };
  const pair = async () => {
    const ann = aMessage({
      channel: 'email',
      visibility: 'private',
      author: { id: `ann-${Date.now()}@example.com`, name: 'Ann Um' },
    });
    const bea = aMessage({
      channel: 'whatsapp',
      visibility: 'private',
      author: { id: `+1415555${String(Date.now()).slice(-4)}`, name: 'Bea Two', location: 'Leeds' },
    });
    await ingest(ann, bea);
    const a = await customerOf(ann);
    const b = await customerOf(bea);
    await patch(a, { attributes: { lang: 'en' } });
    await patch(b, { attributes: { pin: 'B-9', tier: 'basic' } });
    return { a, b };
  };

  it('keeps the survivor’s later name and attributes, and takes back only what the merge brought', async () => {
    const { a, b } = await pair();
    await mergeThenUnmerge(a, b, async () => {
      expect(await read(a)).toMatchObject({
        displayName: 'Ann Um',
        location: 'Leeds',
        attributes: { lang: 'en', pin: 'B-9', tier: 'basic' },
      });
      // An agent corrects the name and sets the tier routing rules match; the pin stays as merged.
      await patch(a, {
        displayName: 'Ann Corrected',
        attributes: { lang: 'en', pin: 'B-9', tier: 'vip', accountNo: 'A-1' },
      });
    });
    expect(await read(a)).toMatchObject({
      displayName: 'Ann Corrected',
      location: null,
      attributes: { lang: 'en', tier: 'vip', accountNo: 'A-1' },
    });
    expect(await read(b)).toMatchObject({
      displayName: 'Bea Two',
      location: 'Leeds',
      mergedInto: null,
      attributes: { pin: 'B-9', tier: 'basic' },
    });
  });

  it('restores the survivor exactly when no one changed it since', async () => {
    const { a, b } = await pair();
    await mergeThenUnmerge(a, b, async () => {});
    expect(await read(a)).toMatchObject({
      displayName: 'Ann Um',
      location: null,
      attributes: { lang: 'en' },
    });
    expect((await read(b)).attributes).toEqual({ pin: 'B-9', tier: 'basic' });
  });
});
