import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { applyDecisions, type OpenProblemRow } from '../problems/apply-decisions.js';
import type { Decision } from '../problems/detector/detector.js';
import { queueEscalations } from '../problems/escalate.js';
import { DEFAULT_PROBLEM_SETTINGS } from '../problems/problem.settings.js';
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
  const id = await w.add(
    'pagerduty',
    { eventsUrl: `${pd.url}/v2/enqueue` },
    { routingKey: ROUTING_KEY },
  );
  const actions = () => pd.requests.map((r) => (r.body as { event_action: string }).event_action);
  return { pd, id, actions };
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

describe('PagerDuty triggers before it acknowledges an incident it never opened', () => {
  it('a suspected problem moved straight to fixing triggers, then acknowledges', async () => {
    const w = await world();
    const { pd, actions } = await withPagerDuty(w);
    const id = await suspected(w);
    await w.drain();
    expect(actions()).toEqual([]);
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(actions()).toEqual(['trigger', 'acknowledge']);
    const keys = pd.requests.map((r) => (r.body as { dedup_key: string }).dedup_key);
    expect(keys).toEqual([`throughline-problem-${id}`, `throughline-problem-${id}`]);
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(actions()).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect((await w.escalations()).every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a problem confirmed before PagerDuty was added triggers when it is moved to fixing', async () => {
    const w = await world();
    const id = await w.problem();
    await w.drain();
    const { actions, id: pdId } = await withPagerDuty(w);
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(actions()).toEqual(['trigger', 'acknowledge']);
    expect((await w.get(id)).externalRefs).toMatchObject({
      pagerduty: `throughline-problem-${id}`,
      [`pagerduty:${pdId}`]: `throughline-problem-${id}`,
    });
    // Triggered now: another acknowledge of the incident goes alone.
    await queueEscalations(w.db, w.app.app.workspace.workspaceId, id, 'problem.fixing', Date.now());
    await w.drain();
    expect(actions()).toEqual(['trigger', 'acknowledge', 'acknowledge']);
  });
});

/** The detector's own decisions, stored as the pipeline's detect stage stores them. */
function detector(w: World) {
  const ws = w.app.app.workspace.workspaceId;
  const byId = new Map<string, OpenProblemRow>();
  const baseline = { key: 'outage@t:US:CA:sf', windowMinutes: 60, observed: 9, expected: 0.3 };
  const decide = (decisions: Decision[]) =>
    w.db
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          ws,
          Date.now(),
          [],
          decisions,
          new Map(),
          byId,
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        ),
      );
  /** A suspicion raised a minute ago (live, not history), with one customer's case linked. */
  const raise = async (problemId: string): Promise<Decision[]> => {
    const m = aMessage({ text: 'No internet in 94110 since 8am' });
    await appendInbound(w.db, ws, [m], Date.now());
    await w.app.app.pipeline.drain();
    const c = await w.db
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const at = Date.now() - 60_000;
    return [
      {
        type: 'raise',
        problemId,
        kind: 'area',
        topic: 'outage',
        area: { postalCode: '94110', city: 'San Francisco', region: 'CA', country: 'US' },
        areaKey: 'p:US:94110',
        keys: ['outage@p:US:94110'],
        terms: [],
        teamId: null,
        at,
        firstAt: at - 600_000,
        confirmed: false,
        baseline: { ...baseline, pValue: 1e-4 },
        tightness: null,
      },
      {
        type: 'link',
        problemId,
        member: { ref: `r-${problemId}`, caseId: c.case_id, customerId: c.customer_id!, at },
        reason: 'detected',
      },
    ];
  };
  /** "Stronger evidence": the detector's own move from suspected to confirmed. */
  const confirm = (problemId: string): Decision => ({
    type: 'confirm',
    problemId,
    at: Date.now() - 30_000,
    baseline: { ...baseline, observed: 30, pValue: 1e-12 },
  });
  return { decide, raise, confirm };
}

const events = async (w: World) =>
  (await w.escalations()).map((r) => (JSON.parse(r.payload_json) as { event: string }).event);

describe('the detector confirming a problem pages PagerDuty', () => {
  it('its confirmation triggers once, and reaches the other targets as problem.confirmed', async () => {
    const w = await world();
    const { actions } = await withPagerDuty(w);
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T0/B0/secret` });
    const { decide, raise, confirm } = detector(w);
    await decide(await raise('auto-1'));
    await w.drain();
    expect(actions()).toEqual([]);
    await decide([confirm('auto-1')]);
    // The same decision again (a problem the detector had not seen confirmed): the status has
    // moved already, so nothing more is queued.
    await decide([confirm('auto-1')]);
    await w.drain();
    expect(actions()).toEqual(['trigger']);
    expect((await w.get('auto-1')).status).toBe('confirmed');
    // One opening and one confirmation per target.
    expect((await events(w)).sort()).toEqual([
      'problem.confirmed',
      'problem.confirmed',
      'problem.opened',
      'problem.opened',
    ]);
    const texts = slack.requests.map((r) => (r.body as { text: string }).text);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(/^Problem #\d+ confirmed: /);
    expect((await w.escalations()).every((r) => r.status === 'delivered')).toBe(true);
  });

  it('raised and confirmed in one batch: the opening (suspected) pages no one, the confirmation does', async () => {
    const w = await world();
    const { actions } = await withPagerDuty(w);
    const { decide, raise, confirm } = detector(w);
    await decide([...(await raise('auto-2')), confirm('auto-2')]);
    await w.drain();
    expect(await events(w)).toEqual(['problem.opened', 'problem.confirmed']);
    expect(actions()).toEqual(['trigger']);
  });
});
