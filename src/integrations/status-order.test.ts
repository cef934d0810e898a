import { describe, expect, it } from 'vitest';
import {
  backdate,
  closeWorldsAfterEach,
  jiraIssue,
  type World,
  withJira,
  withPagerDuty,
  world,
} from './testing/escalation-world.js';

/**
 * Status webhooks are ordered on the provider's own clock: a webhook delivered late but in order
 * moves the problem (the stale check once compared the provider's event time with when the desk
 * applied the previous one, so `done` 10 s after an `indeterminate` delivered 15 s late was
 * dropped and the problem stayed fixing); duplicates and events older than the last one taken
 * are still ignored.
 */
closeWorldsAfterEach();

const statusItem = (from: string, to: string) => ({
  items: [{ field: 'status', fromString: from, toString: to }],
});

/** The problem's status changes in its history: `from → to`. */
async function moves(w: World, id: string): Promise<string[]> {
  const p = await w.get(id);
  return (p.history as { type: string; data: { from: string; to: string } }[])
    .filter((h) => h.type === 'status_changed')
    .map((h) => `${h.data.from} → ${h.data.to}`);
}

describe.each(['sqlite', 'postgres'] as const)('provider event order on %s', (engine) => {
  it('Jira: in progress then done, both delivered late and in order, end fixed', async () => {
    const w = await world(engine);
    const { hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    const key = (await w.get(id)).externalRefs.jira as string;
    // Raised an hour ago: nothing the desk did is newer than the events below.
    await backdate(w, id, 3_600_000);
    const T = Date.now();
    const inProgress = {
      timestamp: T - 15_000,
      changelog: statusItem('To Do', 'In Progress'),
      issue: jiraIssue(key, 'indeterminate'),
    };
    expect((await hook(inProgress)).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixing');
    const done = {
      timestamp: T - 10_000,
      changelog: statusItem('In Progress', 'Done'),
      issue: jiraIssue(key, 'done'),
    };
    expect((await hook(done)).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    expect(await moves(w, id)).toEqual(['confirmed → fixing', 'fixing → fixed']);
    // A duplicate of the first, and an older change delivered after the done: both ignored.
    expect((await hook(inProgress)).statusCode).toBe(200);
    expect((await hook({ ...inProgress, timestamp: T - 12_000 })).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    // A duplicate of the done takes nothing new either (no second record of it).
    await hook(done);
    const p = await w.get(id);
    expect(p.history.filter((h: { type: string }) => h.type === 'status_reported')).toHaveLength(2);
    // A newer move back to In Progress does reopen it.
    await hook({ ...inProgress, timestamp: T - 5_000 });
    expect((await w.get(id)).status).toBe('fixing');
  });

  it('PagerDuty: reopened then resolved, both delivered late and in order, end fixed', async () => {
    const w = await world(engine);
    const { say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await backdate(w, id, 3_600_000);
    const T = Date.now();
    expect((await say(id, 'incident.reopened', new Date(T - 10_000))).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixing');
    expect((await say(id, 'incident.resolved', new Date(T - 5_000))).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    // The reopen delivered again, or one older than the resolve: ignored.
    await say(id, 'incident.reopened', new Date(T - 10_000));
    await say(id, 'incident.reopened', new Date(T - 7_000));
    expect((await w.get(id)).status).toBe('fixed');
    expect(await moves(w, id)).toEqual(['confirmed → fixing', 'fixing → fixed']);
  });

  it("one provider's change counts at its own event time for another's later event", async () => {
    const w = await world(engine);
    const { hook } = await withJira(w);
    const { say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    const key = (await w.get(id)).externalRefs.jira as string;
    await backdate(w, id, 3_600_000);
    const T = Date.now();
    await hook({
      timestamp: T - 15_000,
      changelog: statusItem('To Do', 'In Progress'),
      issue: jiraIssue(key, 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
    // Resolved in PagerDuty before Jira's change: stale.
    await say(id, 'incident.resolved', new Date(T - 20_000));
    expect((await w.get(id)).status).toBe('fixing');
    // Resolved in PagerDuty after Jira's change, though delivered after the desk applied it.
    await say(id, 'incident.resolved', new Date(T - 5_000));
    expect((await w.get(id)).status).toBe('fixed');
  });
  it("another provider's event counts even when it found the problem there already", async () => {
    const w = await world(engine);
    const { hook } = await withJira(w);
    const { say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    const key = (await w.get(id)).externalRefs.jira as string;
    await backdate(w, id, 3_600_000);
    const T = Date.now();
    await say(id, 'incident.resolved', new Date(T - 30_000));
    expect((await w.get(id)).status).toBe('fixed');
    // Done in Jira after that: the problem is fixed already, and the event is taken all the same.
    await hook({
      timestamp: T - 10_000,
      changelog: statusItem('In Progress', 'Done'),
      issue: jiraIssue(key, 'done'),
    });
    // Reopened in PagerDuty before Jira's done, delivered after it: the done is the newer word.
    await say(id, 'incident.reopened', new Date(T - 20_000));
    expect((await w.get(id)).status).toBe('fixed');
    await say(id, 'incident.reopened', new Date(T - 5_000));
    expect((await w.get(id)).status).toBe('fixing');
  });
});
