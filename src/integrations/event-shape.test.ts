import { describe, expect, it } from 'vitest';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import {
  closeWorldsAfterEach,
  fakes,
  ROUTING_KEY,
  type World,
  withJira,
  world,
} from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * What the events say: the problem's area in the API's shape (issue #6: every level, null where
 * not known), and a merge's `problem.closed` naming the problem it went into.
 */
closeWorldsAfterEach();

async function withHook(w: World) {
  const hook = await startFake(() => ({ status: 204 }));
  fakes.push(hook);
  await w.add('webhook', { url: `${hook.url}/hook` }, { secret: 'whsec-0123456789abcdef' });
  return () =>
    hook.requests.map(
      (r) =>
        r.body as {
          event: string;
          problem: { id: string; area: unknown };
          mergedInto?: { id: string; number: number };
        },
    );
}

describe('the webhook payload', () => {
  it("carries the area in the API's shape, also from a snapshot stored with null", async () => {
    const w = await world();
    const sent = await withHook(w);
    const id = await w.problem();
    const api = (await w.get(id)).area;
    expect(api).toEqual({ postalCode: null, city: null, region: null, country: null });
    // A row queued before: its snapshot says null.
    await w.change(id, { owner: 'Field services' });
    const [, later] = await w.escalations();
    const payload = JSON.parse(later.payload_json);
    payload.problem.area = null;
    await w.db
      .updateTable('outbox')
      .set({ payload_json: JSON.stringify(payload) })
      .where('id', '=', later.id)
      .execute();
    await w.drain();
    expect(sent().map((b) => b.problem.area)).toEqual([api, api]);
  });
});

describe('a merge tells its receivers where the problem went', () => {
  it('webhook, Jira comment and PagerDuty resolve name the target of the merge', async () => {
    const w = await world();
    const sent = await withHook(w);
    const { jira } = await withJira(w);
    const pd = await startFakePagerDuty();
    fakes.push(pd);
    await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    const a = await w.problem('Fibre cut 94110');
    const b = await w.problem('Fibre cut, Mission district');
    await w.change(a, { status: 'confirmed' });
    await w.drain();
    const into = await w.get(b);
    const res = await w.app.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${a}/merge`,
      headers: w.app.auth,
      payload: { intoId: b },
    });
    expect(res.statusCode, res.body).toBe(200);
    await w.drain();
    expect((await w.escalations()).every((r) => r.status === 'delivered')).toBe(true);

    const closed = sent().find((s) => s.event === 'problem.closed');
    expect(closed?.problem.id).toBe(a);
    expect(closed?.mergedInto).toEqual({ id: b, number: into.number });
    // An event that is no merge carries none.
    expect(sent().filter((s) => s.mergedInto).length).toBe(1);

    const comment = jira.requests
      .filter((r) => r.path.endsWith('/comment'))
      .map((r) => r.raw)
      .find((raw) => raw.includes('problem.closed'));
    expect(comment).toContain(`Merged into problem #${into.number} (${b})`);

    const resolve = pd.requests
      .map((r) => r.body as Record<string, unknown>)
      .find((r) => r.event_action === 'resolve');
    expect(resolve?.dedup_key).toBe(`throughline-problem-${a}`);
    expect(resolve?.payload).toMatchObject({
      custom_details: { mergedInto: { id: b, number: into.number }, status: 'closed' },
    });
  });
});
