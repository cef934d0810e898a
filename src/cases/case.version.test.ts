import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { careWorld } from './test-world.js';

/**
 * Changes made at the same moment on one view of a case: exactly one goes through, the others
 * are a 409. On PostgreSQL the requests really run at once (a pool of connections); SQLite
 * serialises them, which the same assertions hold for.
 */
describe.each(ENGINES)('concurrent changes on one case version on %s', (engine) => {
  const t = suiteApp(engine, { apiOutboundUrl: 'http://127.0.0.1:9/unused' });
  const { api, sendingChannels } = careWorld(() => t);
  sendingChannels();
  // Each case its own customer: a random number could repeat, and the second case's message
  // would join the first's (a reply test then counted five messages where it sent four).
  let customers = 0;
  const newCase = async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1415555${String(1000 + customers++)}` },
    });
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['cases.id', 'cases.version'])
      .where('messages.external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    return { id: row.id, version: Number(row.version) };
  };

  it('of replies sent on one version, one is written and the rest are 409', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await newCase();
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          api('POST', `/api/v1/cases/${c.id}/replies`, {
            text: `answer ${i}`,
            expectedVersion: c.version,
          }),
        ),
      );
      const codes = answers.map((a) => a.statusCode).sort();
      expect(codes).toEqual([201, 409, 409, 409, 409, 409]);
      const view = (await api('GET', `/api/v1/cases/${c.id}`)).json();
      expect(
        view.messages.filter((m: { direction: string }) => m.direction === 'out'),
      ).toHaveLength(1);
      expect(view.version).toBe(c.version + 1);
    }
  });

  it('of changes (PATCH) made on one version, one is written and the rest are 409', async () => {
    const c = await newCase();
    const answers = await Promise.all(
      (['low', 'high', 'urgent', 'low', 'high'] as const).map((priority) =>
        api('PATCH', `/api/v1/cases/${c.id}`, { priority, expectedVersion: c.version }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409, 409, 409, 409]);
    const view = (await api('GET', `/api/v1/cases/${c.id}`)).json();
    expect(view.version).toBe(c.version + 1);
  });

  it('a reply without a version still goes through beside another', async () => {
    const c = await newCase();
    const answers = await Promise.all(
      [0, 1, 2].map((i) => api('POST', `/api/v1/cases/${c.id}/replies`, { text: `plain ${i}` })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    const view = (await api('GET', `/api/v1/cases/${c.id}`)).json();
    expect(view.messageCount).toBe(4);
    expect(view.version).toBe(c.version + 3);
  });
});
