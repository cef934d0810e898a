import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import { newId } from '../platform/ids.js';

const PHONE = '+14155550999';
const NAME = 'Janine Quorrow';
const TEXT = 'internet down again, write to janine.q@example.com or 12 Elmwood Street';

describe.each(ENGINES)('data-subject export and erasure on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest, idsOf, sendingChannels } = careWorld(() => t);
  sendingChannels();
  const ws = () => t.app.workspace.workspaceId;

  it('exports everything held about a customer, then erases it everywhere the API reads', async () => {
    const first = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: PHONE, name: NAME, location: 'Springfield' },
      text: TEXT,
    });
    const other = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550111', name: 'Other Person' },
    });
    await ingest(first, other);
    const { customer_id: customerId, case_id: caseId } = await idsOf(first.externalId);
    const otherIds = await idsOf(other.externalId);
    expect(
      (await api('POST', `/api/v1/cases/${caseId}/replies`, { text: `Sorry ${NAME}, on it` }))
        .statusCode,
    ).toBe(201);
    expect(
      (await api('POST', `/api/v1/cases/${caseId}/notes`, { body: `${NAME} lives at Elmwood` }))
        .statusCode,
    ).toBe(201);
    await db()
      .insertInto('csat_surveys')
      .values({
        id: newId(),
        workspace_id: ws(),
        case_id: caseId!,
        customer_id: customerId!,
        channel: 'sms',
        agent_id: null,
        token: 'survey-token-janine',
        sent_at: Date.now(),
        rating: 2,
        comment: `slow, ask ${NAME}`,
        answered_at: Date.now(),
      })
      .execute();

    const exported = await api('GET', `/api/v1/customers/${customerId}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    const doc = exported.json();
    expect(doc.customers[0]).toMatchObject({ display_name: NAME, location: 'Springfield' });
    expect(doc.identities.map((i: { address: string }) => i.address)).toEqual([PHONE]);
    expect(doc.cases.map((c: { id: string }) => c.id)).toContain(caseId);
    expect(doc.messages.map((m: { text: string }) => m.text)).toEqual(
      expect.arrayContaining([TEXT, `Sorry ${NAME}, on it`]),
    );
    expect(doc.notes[0].body).toContain('Elmwood');
    expect(doc.csat[0]).toMatchObject({ rating: 2, comment: `slow, ask ${NAME}` });
    expect(doc.outbox.length).toBeGreaterThanOrEqual(1);
    expect(exported.body).not.toContain('Other Person');

    const before = (await api('GET', '/api/v1/cases?limit=200')).json().items.length;
    expect((await api('POST', `/api/v1/customers/${customerId}/erase`, {})).statusCode).toBe(400);
    const erased = await api('POST', `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ cases: 1, identities: 1 });

    // Nothing of theirs is readable through the API.
    const reads = [
      `/api/v1/customers/${customerId}`,
      `/api/v1/customers/${customerId}/timeline`,
      `/api/v1/customers/${customerId}/export`,
      `/api/v1/cases/${caseId}`,
      '/api/v1/cases?limit=200',
      '/api/v1/audit?limit=500',
    ];
    for (const url of reads) {
      const res = await api('GET', url);
      expect(res.statusCode, url).toBe(200);
      for (const secret of [NAME, 'Janine', 'Elmwood', 'janine.q@example.com', PHONE])
        expect(res.body, `${url} shows ${secret}`).not.toContain(secret);
    }
    // The profile location goes; the place triage read for problem counts stays, no finer than a city.
    const cust = (await api('GET', `/api/v1/customers/${customerId}`)).json();
    expect(cust).toMatchObject({ displayName: '[erased]', location: null, identities: [] });
    const c = (await api('GET', `/api/v1/cases/${caseId}`)).json();
    for (const m of c.messages) if (m.triage?.area) expect(m.triage.area.postalCode).toBeNull();
    expect(c.subject).toBe('[erased]');
    expect(c.messages.every((m: { text: string }) => m.text === '[erased]')).toBe(true);
    for (const q of ['janine.q@example.com', 'Elmwood', 'Quorrow', PHONE, '4155550999']) {
      const hits = (await api('GET', `/api/v1/cases?q=${encodeURIComponent(q)}&limit=25`)).json()
        .items;
      expect(hits, q).toEqual([]);
    }
    // Aggregates stay: the case is still counted, with its times; the rating stays, not the comment.
    expect((await api('GET', '/api/v1/cases?limit=200')).json().items.length).toBe(before);
    const survey = await db()
      .selectFrom('csat_surveys')
      .selectAll()
      .where('case_id', '=', caseId!)
      .executeTakeFirstOrThrow();
    expect(survey).toMatchObject({ rating: 2, comment: null });
    expect(
      (await t.app.http.inject({ method: 'GET', url: '/csat/survey-token-janine' })).statusCode,
    ).not.toBe(200);
    expect((await api('GET', '/api/v1/problems')).statusCode).toBe(200);
    // The raw inbound event and the outbound delivery no longer hold the text or the number.
    const inbound = await db()
      .selectFrom('inbound_events')
      .select('payload_json')
      .where('external_id', '=', first.externalId)
      .executeTakeFirstOrThrow();
    expect(inbound.payload_json).not.toContain('Elmwood');
    const outbox = await db()
      .selectFrom('outbox')
      .select(['payload_json', 'status'])
      .where('payload_json', 'like', `%${caseId}%`)
      .execute();
    for (const o of outbox) expect(o.payload_json).not.toMatch(/Janine|4155550999/);
    // Someone else's data is untouched.
    const b = (await api('GET', `/api/v1/customers/${otherIds.customer_id}`)).json();
    expect(b.displayName).toBe('Other Person');
    // The same number writing again is a new customer.
    const again = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: PHONE, name: NAME },
    });
    await ingest(again);
    const fresh = await idsOf(again.externalId);
    expect(fresh.customer_id).not.toBe(customerId);
    expect(fresh.case_id).not.toBe(caseId);
    // The erasure is audited, with counts only.
    const log = (await api('GET', '/api/v1/audit?action=customer.erased')).json().items;
    expect(log).toHaveLength(1);
    expect(log[0].target).toBe(customerId);
  });

  it('in a public conversation, erases the person’s posts and keeps other people’s', async () => {
    const post = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-erasee', handle: 'erasee_handle', name: 'Erasee Person' },
      text: 'whole street is offline, says Erasee',
    });
    await ingest(post);
    const reply = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: 'x-neighbour', handle: 'neighbour', name: 'Nice Neighbour' },
      text: 'same here on my side',
      inReplyTo: post.externalId,
    });
    await ingest(reply);
    const a = await idsOf(post.externalId);
    const b = await idsOf(reply.externalId);
    expect(b.case_id).toBe(a.case_id);
    const res = await api('POST', `/api/v1/customers/${a.customer_id}/erase`, { confirm: true });
    expect(res.statusCode, res.body).toBe(200);
    const shown = await api('GET', `/api/v1/cases/${a.case_id}`);
    expect(shown.body).not.toMatch(/Erasee|erasee_handle|whole street/);
    const texts = shown.json().messages.map((m: { text: string }) => m.text);
    expect(texts).toEqual(expect.arrayContaining(['[erased]', 'same here on my side']));
    const hits = (await api('GET', '/api/v1/cases?q=erasee_handle')).json().items;
    expect(hits).toEqual([]);
  });

  it('refuses callers without the role, and unknown customers', async () => {
    const sup = (await api('POST', '/api/v1/tokens', { name: 's', role: 'supervisor' })).json();
    const as = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      t.app.http.inject({
        method,
        url,
        headers: { authorization: `Bearer ${sup.token}` },
        payload: payload as never,
      });
    expect((await api('GET', '/api/v1/customers/nope/export')).statusCode).toBe(404);
    expect((await api('POST', '/api/v1/customers/nope/erase', { confirm: true })).statusCode).toBe(
      404,
    );
    const m = aMessage();
    await ingest(m);
    const { customer_id } = await idsOf(m.externalId);
    expect((await as('GET', `/api/v1/customers/${customer_id}/export`)).statusCode).toBe(200);
    expect(
      (await as('POST', `/api/v1/customers/${customer_id}/erase`, { confirm: true })).statusCode,
    ).toBe(403);
  });
});
