import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { loadDemo } from './demo.loader.js';

const MIN = 60_000;

/**
 * The demo's traffic is the two days up to the start of today, loaded now: the recent past of a
 * desk that is live from then on. A newcomer who marks the demo's outage fixed does so now, and
 * the next message (today's) does not find the fix nine quiet hours old and verify it at once.
 */
describe('the demo desk after loading', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
    await loadDemo(t.app);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('stamps a fix now, and the next live message leaves it fixed', async () => {
    const problem = await t.app.database.db
      .selectFrom('problems')
      .select('id')
      .where('kind', '=', 'area')
      .orderBy('customer_count', 'desc')
      .executeTakeFirstOrThrow();
    const post = (status: string) =>
      asAdmin(t, 'POST', `/api/v1/problems/${problem.id}/status`, {
        status,
        body: `The outage is ${status}.`,
      });
    expect((await post('fixing')).statusCode).toBe(200);
    const fixedAt = Date.now();
    expect((await post('fixed')).statusCode).toBe(200);
    const row = await t.app.database.db
      .selectFrom('problems')
      .select(['fixed_event_at'])
      .where('id', '=', problem.id)
      .executeTakeFirstOrThrow();
    expect(Math.abs(Number(row.fixed_event_at) - fixedAt)).toBeLessThan(5 * MIN);
    await ingestStream(
      [
        {
          channel: 'sms',
          externalId: 'live-1',
          author: { id: '+15550001111' },
          text: 'What time does the store on Main Street open?',
          sentAt: new Date().toISOString(),
          visibility: 'private',
        },
      ],
      {
        database: t.app.database,
        workspaceId: t.app.workspace.workspaceId,
        pipeline: t.app.pipeline,
      },
    );
    const after = await t.app.database.db
      .selectFrom('problems')
      .select('status')
      .where('id', '=', problem.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('fixed');
  }, 60_000);
});
