import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from './test-world.js';

/**
 * A reply on a channel kind the desk has no channel for (an SMS customer, no number configured;
 * an e-mail one, no mailbox) fails at once, so the agent sees it and reaches the customer
 * another way; it was retried as "temporary" for the outbox's 24 hours, shown as queued.
 */
describe.each(ENGINES)('a reply on a channel the desk has not configured, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, openCase } = careWorld(() => t);
  let n = 0;

  it.each([
    [
      'sms' as const,
      () => `+1415555${String(++n).padStart(4, '0')}`,
      'no SMS channel is configured',
    ],
    ['email' as const, () => `unconfigured-${++n}@example.org`, 'no email channel is configured'],
  ])('%s: failed after one attempt, not queued for a day', async (channel, address, why) => {
    const m = aMessage({ channel, visibility: 'private', author: { id: address() } });
    const caseId = await openCase(m);
    const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'On it' });
    expect(r.statusCode, r.body).toBe(201);
    await t.app.outbox.runOnce();
    const row = await db()
      .selectFrom('outbox')
      .select(['status', 'attempts', 'last_error'])
      .where('kind', '=', 'send_message')
      .where('payload_json', 'like', `%${r.json().id}%`)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toContain(why);
    // Its own kind: no provider refused a permission, an admin must add the channel.
    expect(row.last_error).toMatch(/^not_configured: /);
    const view = await api('GET', `/api/v1/cases/${caseId}`);
    const failed = view.json().messages.find((m: { id: string }) => m.id === r.json().id);
    expect(failed.failure).toMatchObject({ error: 'not_configured', why });
    const sent = await db()
      .selectFrom('messages')
      .select('status')
      .where('id', '=', r.json().id)
      .executeTakeFirstOrThrow();
    expect(sent.status).toBe('failed');
  });
});
