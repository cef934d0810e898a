import { describe, expect, it } from 'vitest';
import {
  closeWorldsAfterEach,
  jiraIssue,
  toInProgress,
  withJira,
  withPagerDuty,
  world,
} from './testing/escalation-world.js';

/*
 * The outbound adapters read the problem's status when a delivery starts. A person who changed
 * it while the provider calls were in flight (fixed while the Jira issue was being moved to In
 * Progress) saw the provider's webhook of that very call, newer than their change on the
 * provider's clock, undo it: fixed went back to fixing, its customers were told work had
 * started again. The echo of the desk's own call is remembered, and moves nothing.
 */
closeWorldsAfterEach();

/** A problem fixed at the desk, and the desk's resolve of its PagerDuty incident sent. */
async function resolvedOnPagerDuty(engine: 'sqlite' | 'postgres') {
  const w = await world(engine);
  const { say, actions } = await withPagerDuty(w);
  const id = await w.problem();
  await w.change(id, { status: 'fixing' });
  await w.change(id, { status: 'fixed' });
  await w.drain();
  expect(actions().at(-1)).toBe('resolve');
  return { w, say, actions, id };
}

describe.each(['sqlite', 'postgres'] as const)(
  'the echo of the desk’s own call on %s',
  (engine) => {
    it('Jira: the issue moved for fixing does not undo a fix made since; a later move does', async () => {
      const w = await world(engine);
      const { hook } = await withJira(w);
      const id = await w.problem();
      await w.drain();
      const key = (await w.get(id)).externalRefs.jira as string;
      await w.change(id, { status: 'fixing' });
      await w.drain();
      const pushed = (await w.get(id)).history.filter(
        (h: { type: string }) => h.type === 'status_pushed',
      );
      expect(pushed.map((h: { data: { reported: string } }) => h.data.reported)).toEqual([
        'indeterminate',
      ]);
      // A person fixes it; then Jira's webhook of the move to In Progress arrives, stamped after.
      await w.change(id, { status: 'fixed' });
      const echo = { changelog: toInProgress, issue: jiraIssue(key, 'indeterminate') };
      expect((await hook({ ...echo, timestamp: Date.now() })).statusCode).toBe(200);
      expect((await w.get(id)).status).toBe('fixed');
      // A person in Jira moving it back well after the desk's call is heard.
      expect((await hook({ ...echo, timestamp: Date.now() + 60_000 })).statusCode).toBe(200);
      expect((await w.get(id)).status).toBe('fixing');
    });

    it('PagerDuty: its resolve does not undo a reopening since, and its own reopen is not acknowledged back', async () => {
      const { w, say, actions, id } = await resolvedOnPagerDuty(engine);
      // A person reopens it before PagerDuty's webhook of the resolve comes in.
      await w.change(id, { status: 'fixing', silent: true });
      expect((await say(id, 'incident.resolved')).statusCode).toBe(200);
      expect((await w.get(id)).status).toBe('fixing');
      const echoes = (await w.get(id)).history.filter(
        (h: { type: string; data: { echo?: boolean } }) =>
          h.type === 'status_reported' && h.data.echo,
      );
      expect(echoes).toHaveLength(1);
      await w.drain();
      // A reopening that came from PagerDuty sends nothing back to it (an acknowledge would
      // silence the page).
      await w.change(id, { status: 'fixed' });
      await w.drain();
      const before = actions().length;
      expect((await say(id, 'incident.reopened', new Date(Date.now() + 60_000))).statusCode).toBe(
        200,
      );
      expect((await w.get(id)).status).toBe('fixing');
      await w.drain();
      expect(actions().length).toBe(before);
    });

    it('PagerDuty: the echo that comes in before the call is answered does not undo a change made meanwhile', async () => {
      const w = await world(engine);
      let id = '';
      let raced = false;
      // PagerDuty takes the resolve; before it answers, a person reopens the problem at the
      // desk and PagerDuty's webhook of the resolve comes in.
      const { say } = await withPagerDuty(w, async (r) => {
        if ((r.body as { event_action?: string }).event_action !== 'resolve' || raced) return;
        raced = true;
        await w.change(id, { status: 'fixing', silent: true });
        expect((await say(id, 'incident.resolved')).statusCode).toBe(200);
      });
      id = await w.problem();
      await w.drain();
      await w.change(id, { status: 'fixing' });
      await w.drain();
      await w.change(id, { status: 'fixed' });
      await w.drain();
      expect(raced).toBe(true);
      const taken = (await w.get(id)).history.filter(
        (h: { type: string }) => h.type === 'status_reported',
      );
      expect(taken).toMatchObject([{ data: { reported: 'incident.resolved', echo: true } }]);
      expect((await w.get(id)).status).toBe('fixing');
    });

    it('PagerDuty: one call, one echo: the on-call who reopens and resolves again at once is heard', async () => {
      const { w, say, id } = await resolvedOnPagerDuty(engine);
      const T = Date.now();
      // The resolve's echo (fixed already: nothing to undo), then the on-call reopens the
      // incident and resolves it again 15 s later, within the window of the desk's call.
      expect((await say(id, 'incident.resolved', new Date(T + 1_000))).statusCode).toBe(200);
      expect((await say(id, 'incident.reopened', new Date(T + 5_000))).statusCode).toBe(200);
      expect((await w.get(id)).status).toBe('fixing');
      expect((await say(id, 'incident.resolved', new Date(T + 20_000))).statusCode).toBe(200);
      expect((await w.get(id)).status).toBe('fixed');
    });
  },
);
