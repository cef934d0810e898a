import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld, iso } from '../cases/test-world.js';
import { ingestStream } from '../ingest/ingest-stream.js';

/**
 * `GET /api/v1/cases/:id/sla` of a case that runs no clock (imported history starts none) answers
 * as a case without a policy and without targets, saying it is imported; an unknown case is a 404.
 */
describe.each(ENGINES)('SLA of a case without clocks on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, caseOf, db } = careWorld(() => t);
  const sla = (caseId: string) => api('GET', `/api/v1/cases/${caseId}/sla`);

  it('of imported history: no policy, no clocks, no events, imported', async () => {
    const tweet = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: '4001', handle: '4001' },
      sentAt: iso(Date.UTC(2017, 9, 31, 22)),
    });
    await ingestStream([tweet], {
      database: t.app.database,
      workspaceId: t.app.workspace.workspaceId,
      pipeline: t.app.pipeline,
      history: true,
    });
    const c = await caseOf(tweet.externalId);
    const res = await sla(c.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      policyId: null,
      paused: false,
      clocks: {},
      events: [],
      imported: true,
    });
  });

  it('of a live case whose clocks are gone (older than the care core): not imported', async () => {
    const sms = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550400' } });
    await ingest(sms);
    const c = await caseOf(sms.externalId);
    expect((await sla(c.id)).json().clocks.first_response).toBeDefined();
    await db().deleteFrom('case_sla').where('case_id', '=', c.id).execute();
    const res = await sla(c.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ policyId: null, clocks: {}, events: [], imported: false });
  });

  it('of an unknown case: 404', async () => {
    const res = await sla('00000000-0000-0000-0000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Case not found');
  });
});
