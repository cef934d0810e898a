import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { replyToCase } from '../cases/case.reply.js';
import { careWorld } from '../cases/test-world.js';

/** The CSAT survey is a message the desk sends, not an answer: response times measure people. */
describe.each(ENGINES)('the CSAT survey and SLA on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, openCase } = careWorld(() => t);
  let phone = 4000;
  const newCase = async () => {
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1415555${phone++}` },
      sentAt: new Date(Date.now() - 60_000).toISOString(),
    });
    return openCase(m);
  };

  it('a case resolved without an answer has no first response, though the survey went out', async () => {
    const id = await newCase();
    expect((await api('PATCH', `/api/v1/cases/${id}`, { status: 'resolved' })).statusCode).toBe(
      200,
    );
    const view = (await api('GET', `/api/v1/cases/${id}`)).json();
    const out = view.messages.filter((m: { direction: string }) => m.direction === 'out');
    expect(out).toHaveLength(1);
    expect(out[0].text).toMatch(/How did we do\?/);
    expect(view.firstResponseAt).toBeNull();
  });

  it('an automated message meets no response clock and opens no new case', async () => {
    const id = await newCase();
    const actor = {
      type: 'token' as const,
      id: 'system-test',
      name: 'test',
      role: 'admin' as const,
      workspaceId: t.app.workspace.workspaceId,
    };
    await replyToCase(
      t.app.database.db,
      actor,
      id,
      { text: 'Rate us', automated: true },
      Date.now(),
    );
    const sla = (await api('GET', `/api/v1/cases/${id}/sla`)).json();
    expect(sla.clocks.first_response.metAt).toBeNull();
    expect(sla.clocks.first_response.dueAt).not.toBeNull();
    const view = (await api('GET', `/api/v1/cases/${id}`)).json();
    expect(view.firstResponseAt).toBeNull();
    expect(view.status).toBe('new');
    // A person's answer still is one.
    await replyToCase(t.app.database.db, actor, id, { text: 'Hello' }, Date.now());
    const after = (await api('GET', `/api/v1/cases/${id}/sla`)).json();
    expect(after.clocks.first_response.metAt).not.toBeNull();
    expect((await api('GET', `/api/v1/cases/${id}`)).json().firstResponseAt).not.toBeNull();
  });
});
