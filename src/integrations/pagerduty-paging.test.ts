import { describe, expect, it } from 'vitest';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { queueEscalations } from '../problems/escalate.js';
import {
  closeWorldsAfterEach,
  fakes,
  ROUTING_KEY,
  type World,
  world,
} from './testing/escalation-world.js';

/** PagerDuty pages for a confirmed problem, not for a suspicion, against the fake Events API. */
closeWorldsAfterEach();

async function withPagerDuty(w: World) {
  const pd = await startFakePagerDuty();
  fakes.push(pd);
  await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
  const actions = () => pd.requests.map((r) => (r.body as { event_action: string }).event_action);
  return { pd, actions };
}

/** A problem as the detector raises one below its stronger threshold: suspected, no person. */
async function suspected(w: World) {
  const id = await w.problem();
  // The hand-made problem's own escalation is not this test's subject.
  await w.db.deleteFrom('outbox').where('kind', '=', 'problem_escalate').execute();
  await w.db.updateTable('problems').set({ status: 'suspected' }).where('id', '=', id).execute();
  await queueEscalations(w.db, w.app.app.workspace.workspaceId, id, 'problem.opened', Date.now());
  return id;
}

describe('PagerDuty pages on a confirmed problem', () => {
  it('a suspected problem pages no one; its confirmation triggers', async () => {
    const w = await world();
    const { actions } = await withPagerDuty(w);
    const id = await suspected(w);
    await w.drain();
    expect(actions()).toEqual([]);
    expect((await w.escalations()).map((r) => r.status)).toEqual(['delivered']);
    await w.change(id, { status: 'confirmed' });
    await w.drain();
    expect(actions()).toEqual(['trigger']);
  });

  it('a problem made by hand (confirmed) triggers on opening', async () => {
    const w = await world();
    const { pd, actions } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    expect(actions()).toEqual(['trigger']);
    expect((pd.requests[0].body as { dedup_key: string }).dedup_key).toBe(
      `throughline-problem-${id}`,
    );
  });

  it('a reopening into fixing triggers, then acknowledges; into confirmed only triggers', async () => {
    const w = await world();
    const { actions } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(actions()).toEqual(['trigger', 'acknowledge', 'resolve']);
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(actions().slice(3)).toEqual(['trigger', 'acknowledge']);
    await w.change(id, { status: 'closed' });
    await w.drain();
    await w.change(id, { status: 'confirmed' });
    await w.drain();
    expect(actions().slice(5)).toEqual(['resolve', 'trigger']);
  });
});
