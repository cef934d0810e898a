import { describe, expect, it } from 'vitest';
import { aMessage, customerIdOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import { channelPhone, linkKeyFor, normalisePhone } from './identity.keys.js';

describe('identity keys', () => {
  it('normalises phone numbers to E.164 and keys only verified identifiers', () => {
    expect(normalisePhone('(415) 555-0100')).toBe('+14155550100');
    expect(normalisePhone('whatsapp:+44 20 7946 0958')).toBe('+442079460958');
    expect(normalisePhone('447911123456')).toBe('+447911123456');
    expect(normalisePhone('12')).toBeNull();
    expect(linkKeyFor('sms', '+1 415 555 0100', false)).toBe('phone:+14155550100');
    expect(linkKeyFor('email', ' Ana@Example.COM ', false)).toBe('email:ana@example.com');
    expect(linkKeyFor('x', '12345', true)).toBeNull();
    expect(linkKeyFor('webchat', 'ana@example.com', false)).toBeNull();
    expect(linkKeyFor('webchat', 'ana@example.com', true)).toBe('email:ana@example.com');
  });

  it("reads a WhatsApp id as the whole international number, never in the desk's country", () => {
    // Singapore's +65 9876 5432, as the Cloud API writes it: ten digits, which a US desk would
    // otherwise read as a number of its own country.
    expect(normalisePhone('6598765432')).not.toBe('+6598765432');
    expect(channelPhone('whatsapp', '6598765432')).toBe('+6598765432');
    expect(linkKeyFor('whatsapp', '6598765432', false)).toBe('phone:+6598765432');
    expect(channelPhone('whatsapp', '16505551234')).toBe('+16505551234');
    expect(channelPhone('whatsapp', '+447911123456')).toBe('+447911123456');
    expect(channelPhone('whatsapp', 'whatsapp:447911123456')).toBe('+447911123456');
    expect(channelPhone('whatsapp', '12')).toBeNull();
    expect(channelPhone('whatsapp', 'not a number')).toBeNull();
    // An SMS or a call gives the number as the carrier has it: the desk's country by default.
    expect(channelPhone('sms', '(415) 555-0100')).toBe('+14155550100');
  });
});

describe.each(ENGINES)('customers on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest } = careWorld(() => t);
  const customerOf = (channel: string, address: string) => customerIdOf(db(), channel, address);

  it('links the same verified phone on SMS and WhatsApp automatically, never an X id', async () => {
    await ingest(
      aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550111' } }),
    );
    await ingest(
      aMessage({ channel: 'whatsapp', visibility: 'private', author: { id: '14155550111' } }),
      aMessage({ channel: 'x', author: { id: '14155550111', name: 'Same digits' } }),
    );
    const sms = await customerOf('sms', '+14155550111');
    expect(await customerOf('whatsapp', '14155550111')).toBe(sms);
    expect(await customerOf('x', '14155550111')).not.toBe(sms);
  });

  it('links two new identities with one key inside one batch', async () => {
    await ingest(
      aMessage({ channel: 'voice', visibility: 'private', author: { id: '+14155550122' } }),
      aMessage({ channel: 'sms', visibility: 'private', author: { id: '+1 (415) 555-0122' } }),
    );
    expect(await customerOf('voice', '+14155550122')).toBe(
      await customerOf('sms', '+1 (415) 555-0122'),
    );
  });

  it('suggests (never merges) when a message names another customer’s phone', async () => {
    await ingest(
      aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550133' } }),
    );
    const tweet = aMessage({
      channel: 'x',
      visibility: 'private',
      author: { id: 'x-733', name: 'Bea Lund' },
      text: 'My number is (415) 555-0133, still no signal',
    });
    await ingest(tweet);
    const xCustomer = await customerOf('x', 'x-733');
    const smsCustomer = await customerOf('sms', '+14155550133');
    expect(xCustomer).not.toBe(smsCustomer);
    const res = await api('GET', `/api/v1/customers/${xCustomer}/suggestions`);
    expect(res.statusCode).toBe(200);
    const [s] = res.json().items;
    expect(s).toMatchObject({
      kind: 'identifier_in_message',
      otherCustomerId: smsCustomer,
      evidence: { identifier: 'phone:+14155550133', externalId: tweet.externalId },
    });
    const acc = await api('POST', `/api/v1/match-suggestions/${s.id}/accept`, {
      survivorId: xCustomer,
    });
    expect(acc.statusCode).toBe(200);
    expect(await customerOf('sms', '+14155550133')).toBe(xCustomer);
  });

  it('suggests same name and area, and a dismissed pair stays dismissed', async () => {
    await ingest(
      aMessage({
        channel: 'x',
        author: { id: 'x-na1', name: 'Carla Núñez', location: 'Denver, CO' },
      }),
      aMessage({
        channel: 'facebook',
        author: { id: 'fb-na1', name: 'carla nuñez', location: 'Denver, CO' },
      }),
    );
    const a = await customerOf('x', 'x-na1');
    const b = await customerOf('facebook', 'fb-na1');
    const res = await api('GET', `/api/v1/customers/${a}/suggestions`);
    const s = res.json().items.find((i: { otherCustomerId: string }) => i.otherCustomerId === b);
    expect(s).toMatchObject({ kind: 'name_and_area' });
    expect((await api('POST', `/api/v1/match-suggestions/${s.id}/dismiss`)).statusCode).toBe(200);
    const again = await api('GET', `/api/v1/customers/${a}/suggestions`);
    expect(
      again.json().items.some((i: { otherCustomerId: string }) => i.otherCustomerId === b),
    ).toBe(false);
    expect(await customerOf('facebook', 'fb-na1')).toBe(b);
  });

  it('merge then unmerge restores exactly, with who and why recorded', async () => {
    const tw = { channel: 'x' as const, author: { id: 'x-mu', name: 'Dee', followers: 40 } };
    const em = {
      channel: 'email' as const,
      visibility: 'private' as const,
      author: { id: 'dee@example.com', name: 'Dee Smith', location: 'Austin, TX' },
    };
    await ingest(
      aMessage({ ...tw, text: 'no bars at all' }),
      aMessage({ ...em, text: 'bill wrong' }),
    );
    const a = await customerOf('x', 'x-mu');
    const b = await customerOf('email', 'dee@example.com');
    await db()
      .updateTable('customers')
      .set({ attributes_json: '{"tier":"gold"}' })
      .where('id', '=', b)
      .execute();
    const snapshot = async () => ({
      customers: await db()
        .selectFrom('customers')
        .selectAll()
        .where('id', 'in', [a, b])
        .orderBy('id')
        .execute(),
      identities: await db()
        .selectFrom('identities')
        .select(['id', 'customer_id'])
        .where('customer_id', 'in', [a, b])
        .orderBy('id')
        .execute(),
      cases: await db()
        .selectFrom('cases')
        .select(['id', 'customer_id'])
        .where('customer_id', 'in', [a, b])
        .orderBy('id')
        .execute(),
      messages: await db()
        .selectFrom('messages')
        .select(['id', 'customer_id'])
        .where('customer_id', 'in', [a, b])
        .orderBy('id')
        .execute(),
    });
    const before = await snapshot();
    const merged = await api('POST', `/api/v1/customers/${a}/merge`, {
      customerId: b,
      reason: 'same person, confirmed by DM',
    });
    expect(merged.statusCode).toBe(201);
    const { mergeId } = merged.json();
    const during = (await api('GET', `/api/v1/customers/${a}`)).json();
    expect(during.identities.map((i: { channel: string }) => i.channel).sort()).toEqual([
      'email',
      'x',
    ]);
    expect(during.cases).toHaveLength(2);
    expect(during.attributes).toEqual({ tier: 'gold' });
    expect((await api('GET', `/api/v1/customers/${b}`)).json().mergedInto).toBe(a);
    const timeline = (await api('GET', `/api/v1/customers/${a}/timeline`)).json();
    expect(new Set(timeline.timeline.map((m: { channel: string }) => m.channel))).toEqual(
      new Set(['x', 'email']),
    );
    // A message arriving on the moved identity while merged follows it back on unmerge.
    const later = aMessage({ ...em, text: 'any news?' });
    await ingest(later);
    const undo = await api('POST', `/api/v1/customer-merges/${mergeId}/unmerge`, {
      reason: 'different people after all',
    });
    expect(undo.statusCode).toBe(200);
    const after = await snapshot();
    const laterRow = await db()
      .selectFrom('messages')
      .select(['id', 'customer_id'])
      .where('external_id', '=', later.externalId)
      .executeTakeFirstOrThrow();
    expect(laterRow.customer_id).toBe(b);
    expect({ ...after, messages: after.messages.filter((m) => m.id !== laterRow.id) }).toEqual(
      before,
    );
    const merges = (await api('GET', `/api/v1/customers/${a}/merges`)).json().items;
    expect(merges[0]).toMatchObject({
      id: mergeId,
      reason: 'same person, confirmed by DM',
      undoReason: 'different people after all',
      actor: { type: 'token' },
    });
    const movedCase = before.cases.find((c) => c.customer_id === b)!;
    const history = (await api('GET', `/api/v1/cases/${movedCase.id}`)).json().history;
    expect(history.map((h: { type: string }) => h.type)).toEqual(
      expect.arrayContaining(['customer_merged', 'customer_unmerged']),
    );
    expect(
      (await api('POST', `/api/v1/customer-merges/${mergeId}/unmerge`, { reason: 'again' }))
        .statusCode,
    ).toBe(422);
  });

  it('a verified identifier the customer gives links; an unverified one owned by another is refused', async () => {
    await ingest(
      aMessage({ channel: 'x', visibility: 'private', author: { id: 'x-give' } }),
      aMessage({ channel: 'email', visibility: 'private', author: { id: 'give@example.com' } }),
    );
    const x = await customerOf('x', 'x-give');
    const e = await customerOf('email', 'give@example.com');
    const refused = await api('POST', `/api/v1/customers/${x}/identities`, {
      channel: 'email',
      address: 'GIVE@example.com',
      verified: false,
    });
    expect(refused.statusCode).toBe(409);
    const ok = await api('POST', `/api/v1/customers/${x}/identities`, {
      channel: 'email',
      address: 'GIVE@example.com',
      verified: true,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().mergeId).toBeTruthy();
    expect(await customerOf('email', 'give@example.com')).toBe(x);
    expect(e).not.toBe(x);
    const bad = await api('POST', `/api/v1/customers/${x}/identities`, {
      channel: 'sms',
      address: '12',
      verified: true,
    });
    expect(bad.statusCode).toBe(400);
    // The agent's word that it is verified stays with the identity the merge moved.
    const moved = await db()
      .selectFrom('identities')
      .select(['verified', 'link_key'])
      .where('channel', '=', 'email')
      .where('address', '=', 'give@example.com')
      .executeTakeFirstOrThrow();
    expect(moved).toEqual({ verified: 1, link_key: 'email:give@example.com' });
  });

  it('refuses a social handle where a user id is needed, and a blank name', async () => {
    await ingest(
      aMessage({ channel: 'email', visibility: 'private', author: { id: 'h@example.com' } }),
    );
    const c = await customerOf('email', 'h@example.com');
    const handle = await api('POST', `/api/v1/customers/${c}/identities`, {
      channel: 'x',
      address: '@someone',
    });
    expect(handle.statusCode).toBe(400);
    expect(handle.json().error.message).toMatch(/not a x user id/);
    const id = await api('POST', `/api/v1/customers/${c}/identities`, {
      channel: 'x',
      address: '835740314006511618',
    });
    expect(id.statusCode, id.body).toBe(201);
    const blank = await api('PATCH', `/api/v1/customers/${c}`, { displayName: '  ' });
    expect(blank.statusCode).toBe(400);
    const broken = await api('PATCH', `/api/v1/customers/${c}`, { displayName: 'Ann\r\nBcc: x' });
    expect(broken.statusCode).toBe(400);
    expect((await api('PATCH', `/api/v1/customers/${c}`, { displayName: null })).statusCode).toBe(
      200,
    );
  });

  it('takes an identifier without `verified` as unverified (the default)', async () => {
    await ingest(
      aMessage({ channel: 'x', visibility: 'private', author: { id: 'x-plain' } }),
      aMessage({ channel: 'email', visibility: 'private', author: { id: 'held@example.com' } }),
    );
    const x = await customerOf('x', 'x-plain');
    const added = await api('POST', `/api/v1/customers/${x}/identities`, {
      channel: 'email',
      address: 'plain@example.com',
    });
    expect(added.statusCode, added.body).toBe(201);
    const row = await db()
      .selectFrom('identities')
      .select(['customer_id', 'verified'])
      .where('channel', '=', 'email')
      .where('address', '=', 'plain@example.com')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ customer_id: x, verified: 0 });
    // Unverified, one owned by another customer is refused, not merged.
    const held = await api('POST', `/api/v1/customers/${x}/identities`, {
      channel: 'email',
      address: 'held@example.com',
    });
    expect(held.statusCode, held.body).toBe(409);
    expect(await customerOf('email', 'held@example.com')).not.toBe(x);
  });
});
