import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld, iso } from '../cases/test-world.js';
import { ALWAYS_OPEN } from './calendar.js';
import { type Clocks, pauseClocks, startClock } from './clocks.js';

const M = 60_000;

/**
 * Setting a case never answered pending on the customer paused its first-response clock (dueAt
 * null), so an agent could dodge the first-response target without replying. Pending pauses
 * next response and resolution; first response runs until an answer meets it.
 */
describe.each(ENGINES)('pending and the first-response clock, on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, caseOf, sendingChannels } = careWorld(() => t);
  sendingChannels();
  const sla = async (caseId: string) => (await api('GET', `/api/v1/cases/${caseId}/sla`)).json();

  it('pending on the customer before any answer leaves first response running', async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550611' },
      sentAt: iso(Date.now()),
    });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const before = await sla(c.id);
    const res = await api('PATCH', `/api/v1/cases/${c.id}`, {
      status: 'pending',
      statusReason: 'customer',
    });
    expect(res.statusCode, res.body).toBe(200);
    const paused = await sla(c.id);
    expect(paused.paused).toBe(true);
    expect(paused.clocks.resolution.dueAt).toBeNull();
    expect(paused.clocks.first_response.dueAt).toBe(before.clocks.first_response.dueAt);
    expect(paused.clocks.first_response.metAt).toBeNull();
    // An answer meets it as usual.
    const r = await api('POST', `/api/v1/cases/${c.id}/replies`, { text: 'Checking your line' });
    expect(r.statusCode, r.body).toBe(201);
    expect((await sla(c.id)).clocks.first_response.metAt).not.toBeNull();
  });
});

describe('pauseClocks', () => {
  it('keeps the clocks it is told to keep running', () => {
    const targets = { first_response: 60, next_response: null, resolution: 600, atRiskPercent: 80 };
    const clocks: Clocks = {};
    startClock(ALWAYS_OPEN, clocks, 'first_response', targets, 0);
    startClock(ALWAYS_OPEN, clocks, 'resolution', targets, 0);
    pauseClocks(ALWAYS_OPEN, clocks, 10 * M, ['first_response']);
    expect(clocks.first_response).toMatchObject({ runningSince: 0, dueAt: 60 * M });
    expect(clocks.resolution).toMatchObject({ runningSince: null, dueAt: null, usedMs: 10 * M });
  });
});
