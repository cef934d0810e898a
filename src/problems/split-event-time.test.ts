import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import { problemsWorld } from './test-world.js';

/**
 * A problem split off another (or merged into, or given cases by hand) is dated in event time, as issue #6 wants `detectedAt` and as a
 * problem made by hand from a case is: when the customers of the cases split off wrote, not when
 * the person split them (nor when their cases were linked).
 */
describe.each(ENGINES)('a split-off problem in event time on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, autoProblem, next } = problemsWorld(() => t);
  careWorld(() => t).sendingChannels();
  const wrote = (sentAt: string) =>
    aMessage({
      text: 'no signal at all in Austin tonight',
      author: { id: `split-time-${next()}` },
      sentAt,
    });

  it('detectedAt, firstEventAt and lastEventAt come from the split cases’ messages', async () => {
    const cs = await ingest([
      wrote('2026-12-02T23:38:00.000Z'),
      wrote('2026-12-02T23:54:00.000Z'),
      wrote('2026-12-02T22:10:00.000Z'),
    ]);
    // Linked an hour ago by wall time (autoProblem), days after the customers wrote.
    const src = await autoProblem(cs);
    const res = await api('POST', `/api/v1/problems/${src}/split`, {
      caseIds: [cs[0].case_id, cs[1].case_id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p.detectedAt).toBe('2026-12-02T23:54:00.000Z');
    expect(p.firstEventAt).toBe('2026-12-02T23:38:00.000Z');
    expect(p.lastEventAt).toBe('2026-12-02T23:54:00.000Z');
  });

  it('a merge and a link by hand widen the span to the cases taken in; the merged one keeps no ETA', async () => {
    const [a, b, c] = await ingest([
      wrote('2026-12-01T08:00:00.000Z'),
      wrote('2026-12-03T09:30:00.000Z'),
      wrote('2026-12-04T10:45:00.000Z'),
    ]);
    const made = async (caseId: string) => {
      const res = await api('POST', '/api/v1/problems', { caseId, title: 'Austin signal' });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; lastEventAt: string };
    };
    const into = await made(a.case_id!);
    const from = await made(b.case_id!);
    expect(into.lastEventAt).toBe('2026-12-01T08:00:00.000Z');
    // The source's ETA goes with its close: its targets must not read "closed … ETA".
    const eta = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const set = await api('POST', `/api/v1/problems/${from.id}/status`, {
      status: 'fixing',
      etaAt: eta,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await api('GET', `/api/v1/problems/${from.id}`)).json().etaAt).not.toBeNull();
    const merged = await api('POST', `/api/v1/problems/${from.id}/merge`, { intoId: into.id });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    const afterMerge = (await api('GET', `/api/v1/problems/${into.id}`)).json();
    expect(afterMerge.firstEventAt).toBe('2026-12-01T08:00:00.000Z');
    expect(afterMerge.lastEventAt).toBe('2026-12-03T09:30:00.000Z');
    expect((await api('GET', `/api/v1/problems/${from.id}`)).json()).toMatchObject({
      status: 'closed',
      etaAt: null,
    });
    const linked = await api('POST', `/api/v1/problems/${into.id}/links`, {
      link: [c.case_id],
    });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json().lastEventAt).toBe('2026-12-04T10:45:00.000Z');
    expect(linked.json().firstEventAt).toBe('2026-12-01T08:00:00.000Z');
  });

  it('a problem made by hand from an answered case is dated by the customer, not the reply', async () => {
    // By SMS: the desk has a sender for it (an `api` case without an outbound URL refuses replies).
    const [c] = await ingest([
      aMessage({
        text: 'no signal at all in Austin tonight',
        channel: 'sms',
        visibility: 'private',
        author: { id: `+1512555${String(next()).padStart(4, '0')}` },
        sentAt: '2026-12-01T08:15:00.000Z',
      }),
    ]);
    // An agent's reply moves the case's last activity to now (wall time).
    const r = await api('POST', `/api/v1/cases/${c.case_id}/replies`, { text: 'Looking into it' });
    expect(r.statusCode, r.body).toBeLessThan(300);
    const res = await api('POST', '/api/v1/problems', { caseId: c.case_id, title: 'Austin' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().detectedAt).toBe('2026-12-01T08:15:00.000Z');
    expect(res.json().firstEventAt).toBe('2026-12-01T08:15:00.000Z');
  });
});
