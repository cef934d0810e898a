import { describe, expect, it } from 'vitest';
import { classify } from '../triage/index.js';
import { type AgentSlot, pickAgent } from './assign.js';
import { bandOf, type NeedSignals, needScore, priorityOf } from './priority.js';
import { chooseQueue, groupKeyOf, matches } from './rules.js';

const need = (over: Partial<NeedSignals> = {}): NeedSignals => ({
  topic: 'billing',
  urgency: [],
  complaint: false,
  sentiment: 0,
  waitingMs: 0,
  ...over,
});

describe('priority formula', () => {
  it('scores severity, urgency, complaint, distress and waiting as documented', () => {
    expect(needScore(need())).toBe(22);
    expect(priorityOf(need()).priority).toBe('normal');
    expect(needScore(need({ topic: 'outage', complaint: true, sentiment: -0.8 }))).toBe(52);
    expect(priorityOf(need({ topic: 'outage', complaint: true, sentiment: -0.8 })).priority).toBe(
      'high',
    );
    expect(
      priorityOf(need({ topic: 'network', urgency: ['safety'], complaint: true })).priority,
    ).toBe('urgent');
    expect(priorityOf(need({ topic: 'praise', sentiment: 0.9 })).priority).toBe('low');
    // Waiting: one point per 15 minutes, at most 20.
    expect(needScore(need({ waitingMs: 45 * 60_000 }))).toBe(25);
    expect(needScore(need({ waitingMs: 100 * 3_600_000 }))).toBe(42);
    // Repeated signals count once; the score is capped.
    expect(needScore(need({ urgency: ['churn', 'churn'] }))).toBe(42);
    expect(
      needScore(
        need({
          topic: 'outage',
          urgency: ['safety', 'vulnerable', 'legal', 'churn'],
          complaint: true,
          sentiment: -1,
          waitingMs: 1e9,
        }),
      ),
    ).toBe(100);
    expect(bandOf(70)).toBe('urgent');
    expect(bandOf(69)).toBe('high');
    expect(bandOf(19)).toBe('low');
  });

  it('takes no measure of reach: the same need from a tiny and a huge account is the same', () => {
    const text = 'Third day without internet, I work from home and I am losing money. Fix it!';
    const small = classify({ text, channel: 'x' });
    const big = classify({ text, channel: 'x', authorLocation: undefined });
    const signals = (t: typeof small) => ({
      topic: t.topic,
      urgency: t.urgency,
      complaint: t.complaint,
      sentiment: t.sentiment,
      waitingMs: 0,
    });
    // The formula's input type has no field for followers; adding one is a compile error.
    // @ts-expect-error followers is not a signal of need
    priorityOf({ ...signals(small), followers: 2_000_000 });
    expect(priorityOf(signals(small))).toEqual(priorityOf(signals(big)));
  });
});

describe('routing rules', () => {
  const t = classify({
    text: 'No signal at all in 94110 since this morning, total outage',
    channel: 'x',
  });
  it('matches on channel, language, urgency, area and customer attributes', () => {
    const facts = { channel: 'x', language: 'en', triage: t, customerAttributes: { tier: 'gold' } };
    expect(matches({ channel: ['x', 'facebook'] }, facts)).toBe(true);
    expect(matches({ channel: ['email'] }, facts)).toBe(false);
    expect(matches({ language: ['es'] }, facts)).toBe(false);
    expect(matches({ customer: { tier: 'gold' } }, facts)).toBe(true);
    expect(matches({ customer: { tier: 'silver' } }, facts)).toBe(false);
    expect(matches({ area: { postalPrefix: ['941'] } }, facts)).toBe(
      t.area?.postalCode === '94110',
    );
    expect(
      chooseQueue(
        [
          { id: 'r1', queueId: 'q-email', conditions: { channel: ['email'] } },
          { id: 'r2', queueId: 'q-gold', conditions: { customer: { tier: 'gold' } } },
        ],
        facts,
      ),
    ).toBe('q-gold');
    expect(chooseQueue([], facts)).toBeNull();
  });

  it('takes a borough for its city: Queens by its neighbourhoods, Manhattan and the Bronx as the ZIP data names them', () => {
    const at = (text: string) => ({
      channel: 'sms',
      language: 'en',
      triage: classify({ text, channel: 'sms' }),
      customerAttributes: {},
    });
    const jamaica = at('No signal at all in 11432 since this morning');
    const flushing = at('No signal at all in Flushing, NY since this morning');
    const brooklyn = at('No signal at all in 11201 since this morning');
    expect(jamaica.triage.area?.postalCode).toBe('11432');
    expect(matches({ area: { city: ['Queens'] } }, jamaica)).toBe(true);
    expect(matches({ area: { city: ['Queens'] } }, flushing)).toBe(true);
    expect(matches({ area: { city: ['Queens'] } }, brooklyn)).toBe(false);
    const midtown = at('No signal at all in 10018 since this morning');
    expect(matches({ area: { city: ['Manhattan'] } }, midtown)).toBe(true);
    expect(matches({ area: { city: ['The Bronx'] } }, at('No signal in 10451 today'))).toBe(true);
  });

  it('groups network and outage complaints by place for surges', () => {
    if (t.complaint && (t.topic === 'outage' || t.topic === 'network') && t.area?.postalCode) {
      expect(groupKeyOf(t)).toBe(`${t.topic}:94110`);
    }
    expect(groupKeyOf(classify({ text: 'Thanks, great service!', channel: 'x' }))).toBeNull();
  });
});

describe('assignment choice', () => {
  const agents = (): AgentSlot[] => [
    { userId: 'a', capacity: 2, load: 0, lastAssignedAt: null, skills: {} },
    { userId: 'b', capacity: 2, load: 1, lastAssignedAt: null, skills: {} },
    { userId: 'c', capacity: 5, load: 0, lastAssignedAt: null, skills: { languages: ['es'] } },
  ];
  const c = { id: 'x', language: 'en', topic: 'billing' };
  it('round-robin rotates over eligible agents and respects capacity and skills', () => {
    const pool = agents();
    const picks = Array.from(
      { length: 4 },
      (_, i) => pickAgent('round_robin', pool, c, 1000 + i)?.userId ?? null,
    );
    // c speaks only Spanish; b is full after one; a after two.
    expect(picks).toEqual(['a', 'b', 'a', null]);
    expect(pickAgent('round_robin', pool, { ...c, language: 'es' }, 2000)?.userId).toBe('c');
  });
  it('load-balanced takes the agent with the most free room', () => {
    const pool = agents();
    expect(pickAgent('load_balanced', pool, c, 1)?.userId).toBe('a');
    expect(pickAgent('load_balanced', pool, { ...c, language: 'es' }, 2)?.userId).toBe('c');
  });
});
