import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import type { Sender } from '../channels/sender.js';
import { DEFAULT_PROBLEM_SETTINGS } from '../problems/problem.settings.js';
import { problemsWorld } from '../problems/test-world.js';
import { notifyOutbox } from './test-world.js';

/** Status notices wait this long before they go out (`noticeHoldMinutes`). */
const HOLD = DEFAULT_PROBLEM_SETTINGS.noticeHoldMinutes * 60_000;

/**
 * QA: an erased Instagram customer linked to a problem was sent every later update, to the
 * address "[erased]"; erasing them after linking left them linked and counted, and a notice on
 * hold at the erasure stayed `queued` for good. Now an erased customer is never linked, queued
 * or sent anything; erasure takes their cases out of their problems and cancels what was queued.
 */
describe.each(ENGINES)('problem notices and erased customers on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;

  /** An Instagram DM from a new customer, through the pipeline; returns its case. */
  const dm = async () =>
    (
      await w.ingest([
        aMessage({
          channel: 'instagram',
          visibility: 'private',
          author: { id: `ig-erased-${engine}-${++k}`, name: 'Zelda Quorrow' },
          text: 'no signal in Austin',
          sentAt: new Date(Date.now() - 600_000).toISOString(),
        }),
      ])
    )[0];
  const erase = async (customerId: string | null) => {
    const r = await w.api('POST', `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(r.statusCode, r.body).toBe(200);
  };
  const notices = (id: string) =>
    w
      .db()
      .selectFrom('problem_notifications')
      .select(['case_id', 'status', 'address', 'error'])
      .where('problem_id', '=', id)
      .execute();
  /** Runs the outbox once the hold is over; returns whom Instagram was asked to message. */
  async function deliverAll() {
    const to: string[] = [];
    const instagram: Sender = async (m) => {
      to.push(m.to);
      return { externalId: `ig-${m.messageId}` };
    };
    await notifyOutbox(t, new Map([['instagram', instagram]]), () => Date.now() + HOLD).runOnce(
      100,
    );
    return to;
  }

  it('refuses to link an erased customer’s case (422), by hand or as a new problem', async () => {
    const erased = await dm();
    const other = await dm();
    await erase(erased.customer_id);
    const id = await w.autoProblem([other]);
    const link = await w.api('POST', `/api/v1/problems/${id}/links`, { link: [erased.case_id] });
    expect(link.statusCode, link.body).toBe(422);
    expect(await w.activeCases(id)).toEqual([other.case_id]);
    const made = await w.api('POST', '/api/v1/problems', { caseId: erased.case_id });
    expect(made.statusCode, made.body).toBe(422);
  });

  it('never queues a notice to an erased customer whose case a link still holds', async () => {
    const erased = await dm();
    const other = await dm();
    await erase(erased.customer_id);
    // Linked as the store links (an older desk's link, or one made before this check).
    const id = await w.autoProblem([erased, other]);
    expect((await w.setStatus(id, { status: 'fixing', silent: false })).statusCode).toBe(200);
    expect((await notices(id)).map((n) => n.case_id)).toEqual([other.case_id]);
    expect(await deliverAll()).not.toContain('[erased]');
  });

  it('erasure after linking unlinks the case, drops the count and tells them nothing', async () => {
    const erased = await dm();
    const other = await dm();
    const id = await w.autoProblem([erased, other]);
    expect((await w.api('GET', `/api/v1/problems/${id}`)).json().customerCount).toBe(2);
    await erase(erased.customer_id);
    expect(await w.activeCases(id)).toEqual([other.case_id]);
    expect((await w.api('GET', `/api/v1/problems/${id}`)).json().customerCount).toBe(1);
    expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
    expect((await notices(id)).map((n) => n.case_id)).toEqual([other.case_id]);
    const to = await deliverAll();
    expect(to).not.toContain('[erased]');
    expect(to).toHaveLength(1);
  });

  it('erasure while a notice is on hold cancels it; it is never sent', async () => {
    const erased = await dm();
    const other = await dm();
    const id = await w.autoProblem([erased, other]);
    expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
    await erase(erased.customer_id);
    const held = (await notices(id)).find((n) => n.case_id === erased.case_id);
    expect(held).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: the customer was erased',
    });
    const to = await deliverAll();
    expect(to).toHaveLength(1);
    expect(to).not.toContain('[erased]');
    expect((await notices(id)).find((n) => n.case_id === erased.case_id)?.status).toBe('cancelled');
    const api = await w.api('GET', `/api/v1/problems/${id}/notifications?status=cancelled`);
    expect(api.statusCode, api.body).toBe(200);
    expect(api.json().items).toHaveLength(1);
  });

  it('a notice whose customer was erased after it was queued is cancelled when its turn comes', async () => {
    const erased = await dm();
    const id = await w.autoProblem([erased, await dm()]);
    expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
    // Erased behind the notice's back (as a concurrent erasure committing after it was read).
    await w
      .db()
      .updateTable('customers')
      .set({ erased_at: Date.now() })
      .where('id', '=', erased.customer_id!)
      .execute();
    const to = await deliverAll();
    expect(to).toHaveLength(1);
    expect((await notices(id)).find((n) => n.case_id === erased.case_id)).toMatchObject({
      status: 'cancelled',
      address: null,
    });
  });
});
