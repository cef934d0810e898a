import { describe, expect, it } from 'vitest';
import { closeWorldsAfterEach, withJira, world } from './testing/escalation-world.js';

/**
 * A Jira issue made on an event other than `problem.opened` (the integration was added after
 * the problem, or its `config.events` leaves events out): its description says what the comment
 * would have (event, ETA, update's words), and it goes to the status the problem is in, against
 * the fake Jira workflow.
 */
closeWorldsAfterEach();

type Jira = Awaited<ReturnType<typeof withJira>>['jira'];
/** The text of the created issue's description (one ADF paragraph of text nodes). */
const description = (jira: Jira) => {
  const create = jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');
  expect(create).toHaveLength(1);
  const doc = (create[0].body as { fields: { description: unknown } }).fields.description as {
    content: { content: { text: string }[] }[];
  };
  return doc.content.flatMap((p) => p.content.map((t) => t.text)).join('');
};
const comments = (jira: Jira) => jira.requests.filter((r) => r.path.endsWith('/comment'));

describe('a Jira issue created after the problem opened', () => {
  it('added while the problem is being fixed: the ETA and words are in the description, the issue is in progress', async () => {
    const w = await world();
    const id = await w.problem();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    const { jira } = await withJira(w);
    const eta = new Date(Date.now() + 3 * 3_600_000);
    eta.setUTCMilliseconds(0);
    await w.change(id, { etaAt: eta.toISOString(), body: 'Crews are splicing the cable' });
    await w.drain();
    const text = description(jira);
    expect(text).toMatch(/^problem\.updated: Fibre cut 94110 — 1 customer, status fixing\. /);
    expect(text).toContain(`ETA ${eta.toISOString()}.`);
    expect(text).toContain('Update: Crews are splicing the cable');
    // The description tells it; a comment would say it twice.
    expect(comments(jira)).toEqual([]);
    expect(jira.statusOf('PROB-1')).toBe('In Progress');
    expect((await w.escalations()).every((r) => r.status === 'delivered')).toBe(true);
    // Later events comment as usual.
    await w.change(id, { body: 'Half the street is back' });
    await w.drain();
    expect(comments(jira)).toHaveLength(1);
  });

  it('config.events leaves out the fix: an update after it creates the issue done', async () => {
    const w = await world();
    const { jira } = await withJira(w, {}, { events: ['problem.updated'] });
    const id = await w.problem();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.requests).toEqual([]);
    await w.change(id, { body: 'Root cause: a digger on Mission St' });
    await w.drain();
    expect(description(jira)).toContain('Update: Root cause: a digger on Mission St');
    expect(jira.statusOf('PROB-1')).toBe('Done');
    expect(comments(jira)).toEqual([]);
  });

  it('a retried create whose answer was lost finds its issue by label and still moves it', async () => {
    const w = await world();
    const id = await w.problem();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    const { jira } = await withJira(w, { loseFirstCreateAnswer: true });
    await w.change(id, { body: 'Crews on site' });
    await w.drain();
    const [row] = await w.escalations().then((rs) => rs.filter((r) => r.status === 'pending'));
    expect(row.last_error).toContain('temporary');
    await w.db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', row.id).execute();
    await w.drain();
    expect(jira.statusOf('PROB-1')).toBe('In Progress');
    expect((await w.get(id)).externalRefs.jira).toBe('PROB-1');
  });

  it('a problem only confirmed: the new issue stays in its first status', async () => {
    const w = await world();
    const id = await w.problem();
    await w.drain();
    const { jira } = await withJira(w);
    await w.change(id, { body: 'Looking into it' });
    await w.drain();
    expect(description(jira)).toContain('status confirmed');
    expect(jira.statusOf('PROB-1')).toBe('To Do');
    expect(jira.requests.some((r) => r.path.endsWith('/transitions'))).toBe(false);
  });
});
