import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { publicAckText } from './ack-x.js';
import type { Decision } from './detector/detector.js';
import { publicNoticeText } from './notice-x.js';
import { acknowledgementText, DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { problemsWorld } from './test-world.js';

const TAMPA = { postalCode: null, city: 'Tampa', region: 'FL', country: 'US' };
/** Issue 6's Tampa problem: 38 of its 153 complaints were billing, the rest many other topics. */
const MIX = [
  { topic: 'billing', share: 38 / 153 },
  { topic: 'outage', share: 0.2 },
  { topic: 'network', share: 0.15 },
  { topic: 'device', share: 0.15 },
  { topic: 'service', share: 0.1 },
  { topic: 'other', share: 1 - 38 / 153 - 0.6 },
];

/*
 * A problem raised on a place's every-topic key (`*@t:…`) whose complaints no topic has half of
 * was titled by its most common topic ("billing — Tampa"): it says it is the place's trouble, with
 * its topics' shares, through every later change of its title, until its complainers settle on one
 * topic (`retopic`): then it is that topic's, or still the place's with their shares. Its `topic`
 * stays the most common one (the API's contract: null only for a text cluster; the evaluation
 * matches on it).
 */
describe.each(ENGINES)('the title of a place’s mixed complaints, on %s', (engine) => {
  const t = suiteApp(engine);
  const { decide, openRows, problem, api, cases, linkTo } = problemsWorld(() => t);
  const at = Date.now() - 60_000;
  const raise = (id: string): Decision => ({
    type: 'raise',
    problemId: id,
    kind: 'area',
    topic: 'billing',
    area: TAMPA,
    areaKey: 't:US:FL:tampa',
    keys: ['*@t:US:FL:tampa'],
    terms: [],
    teamId: null,
    at,
    firstAt: at - 3_600_000,
    confirmed: false,
    baseline: {
      key: '*@t:US:FL:tampa',
      windowMinutes: 60,
      observed: 40,
      expected: 8,
      pValue: 1e-9,
    },
    tightness: null,
    mix: MIX,
  });

  /** A link of case `c` to problem `id` whose complaint names `topic` (and so votes for it). */
  const link = (
    id: string,
    c: { case_id: string | null; customer_id: string | null },
    topic: string,
  ) => {
    const d = linkTo(id, c);
    return { ...d, member: { ...d.member, topic } };
  };

  it('names its place and its topics’ shares, keeps them as its place settles, and takes its complainers’ as its topic does', async () => {
    const id = crypto.randomUUID();
    await decide(Date.now(), [raise(id)]);
    const title = 'Many complaints — Tampa (billing 25 %, outage 20 %, network 15 %, …)';
    expect(await problem(id)).toMatchObject({ title, topic: 'billing' });
    const res = await api('GET', `/api/v1/problems/${id}`);
    expect(res.json()).toMatchObject({ title, topic: 'billing' });
    // Its customers hear of the problem in Tampa, not of a billing problem.
    const ack = acknowledgementText(DEFAULT_PROBLEM_SETTINGS, await problem(id), Date.now());
    expect(ack).toContain('the problem in Tampa');
    expect(ack).not.toContain('billing');
    // And on X, where a public reply names the trouble by its topic alone.
    expect(publicAckText(await problem(id))).toContain('We know about the problem and');
    expect(publicNoticeText({ ...(await problem(id)), status: 'fixed' })).toContain(
      'Good news: the problem is fixed.',
    );

    // It shows a ZIP code of its city (`settle-place.ts`), then settles on another topic.
    await decide(
      Date.now(),
      [
        {
          type: 'refine',
          problemId: id,
          at,
          areaKey: 'p:US:33602',
          area: { ...TAMPA, postalCode: '33602' },
          key: '*@p:US:33602',
        },
      ],
      await openRows(id),
    );
    expect((await problem(id)).title).toBe(
      'Many complaints — 33602 (Tampa) (billing 25 %, outage 20 %, network 15 %, …)',
    );
    // Its complainers since then name outage most, though not half of them: its title's
    // shares are theirs now (nine outage, six billing and five network votes, counted in the
    // same batch as the rename).
    const cs = await cases(20);
    const votes = cs.map((c, i) => link(id, c, i < 9 ? 'outage' : i < 15 ? 'billing' : 'network'));
    await decide(
      Date.now(),
      [...votes, { type: 'retopic', problemId: id, at, topic: 'outage' }],
      await openRows(id),
    );
    expect(await problem(id)).toMatchObject({
      title: 'Many complaints — 33602 (Tampa) (outage 45 %, billing 30 %, network 25 %)',
      topic: 'outage',
    });
  });

  it('is titled by the topic its complainers settle on once that topic has half of them', async () => {
    const id = crypto.randomUUID();
    await decide(Date.now(), [raise(id)]);
    expect((await problem(id)).title).toMatch(/^Many complaints — Tampa/);
    await decide(
      Date.now(),
      [{ type: 'retopic', problemId: id, at: Date.now(), topic: 'outage' }],
      await openRows(id),
    );
    expect(await problem(id)).toMatchObject({ title: 'outage — Tampa', topic: 'outage' });
    // And stays so as more complainers come (the stored signature holds no mix any more).
    const res = await api('GET', `/api/v1/problems/${id}`);
    expect(res.json()).toMatchObject({ title: 'outage — Tampa' });
  });

  it('is titled by its topic once half its complainers since, and at least five, name it', async () => {
    const id = crypto.randomUUID();
    await decide(Date.now(), [raise(id)]);
    const title = 'Many complaints — Tampa (billing 25 %, outage 20 %, network 15 %, …)';
    // Four billing complainers and three outage ones: billing has more than half, but only four.
    const [a, b, c, d, e, f, g, h] = await cases(8);
    const first = [a, b, c, d].map((x) => link(id, x, 'billing'));
    first.push(...[e, f, g].map((x) => link(id, x, 'outage')));
    await decide(Date.now(), first, await openRows(id));
    expect((await problem(id)).title).toBe(title);
    await decide(Date.now(), [link(id, h, 'billing')], await openRows(id));
    expect(await problem(id)).toMatchObject({ title: 'billing — Tampa', topic: 'billing' });
    expect(JSON.parse((await problem(id)).signature_json!).mix).toBeUndefined();
  });

  it('stays mixed while another topic has half its complainers, its own five', async () => {
    const id = crypto.randomUUID();
    await decide(Date.now(), [raise(id)]);
    const cs = await cases(11);
    const votes = cs.map((c, i) => link(id, c, i < 5 ? 'billing' : 'outage'));
    await decide(Date.now(), votes, await openRows(id));
    expect((await problem(id)).title).toMatch(/^Many complaints — Tampa/);
  });

  it('is titled by its topic when one has most of its complaints', async () => {
    const id = crypto.randomUUID();
    const { mix: _, ...named } = raise(id) as Extract<Decision, { type: 'raise' }>;
    await decide(Date.now(), [named]);
    expect(await problem(id)).toMatchObject({ title: 'billing — Tampa', topic: 'billing' });
  });
});
