import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';

/** A call cannot carry a link: its survey goes by SMS to the number that called. */
describe.each(ENGINES)("a call's CSAT survey on %s", (engine) => {
  const t = suiteApp(engine);

  it('goes by SMS to the caller', async () => {
    const db = t.app.database.db;
    const m = aMessage({
      channel: 'voice',
      visibility: 'private',
      author: { id: '+14155550391' },
      text: 'Call transcript: my line has no signal since this morning',
    });
    await appendInbound(db, t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const { case_id: caseId } = await db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const res = await asAdmin(t, 'PATCH', `/api/v1/cases/${caseId}`, {
      status: 'resolved',
      reason: 'line reset',
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = await db
      .selectFrom('outbox')
      .select('payload_json')
      .where('payload_json', 'like', `%${caseId}%`)
      .execute();
    const surveys = out
      .map((o) => JSON.parse(o.payload_json) as { channel: string; to: string; text: string })
      .filter((p) => p.text?.includes('/csat/'));
    expect(surveys).toHaveLength(1);
    expect(surveys[0]).toMatchObject({ channel: 'sms', to: '+14155550391' });
  });
});
