import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld, iso } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

const H = 3_600_000;

/**
 * A deadline that had passed long before the desk learned of its case (imported or replayed
 * history) still breaches on record, but its live event says `late`, so the problem detector
 * does not take it for a team failing now (src/problems/process.ts).
 */
describe.each(ENGINES)('SLA breaches of history on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, caseOf, events } = careWorld(() => t);

  it('a breach of history (overdue before the desk knew of the case) is flagged late; a live one is not', async () => {
    const now = Date.now();
    const old = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550388' },
      sentAt: iso(now - 48 * H),
    });
    const fresh = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550389' },
      sentAt: iso(now),
    });
    await ingest(old, fresh);
    const dueOf = async (m: InboundMessage) => {
      const c = await caseOf(m.externalId);
      const sla = (await api('GET', `/api/v1/cases/${c.id}/sla`)).json();
      return { id: c.id, due: Date.parse(sla.clocks.first_response.dueAt) };
    };
    const [a, b] = [await dueOf(old), await dueOf(fresh)];
    expect(a.due).toBeLessThan(now - H);
    const ev = events();
    await t.app.care.scheduler.tick(Math.max(a.due, b.due));
    ev.off();
    const breach = (id: string) =>
      ev.seen.find((e) => e.type === 'sla.breached' && e.data.caseId === id)?.data;
    // Both are breaches on record; only the live one tells how the team works now.
    expect(breach(a.id)?.late).toBe(true);
    expect(breach(b.id)?.late).toBe(false);
  });
});
