import { describe, expect, it } from 'vitest';
import type { SimIncident } from '../../src/simulate/index.js';
import { type ScoredMessage, score } from './metrics.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 12);
const incident: SimIncident = {
  id: 'inc1',
  topic: 'outage',
  level: 'city',
  area: { postalCode: null, city: 'Denver', region: 'CO', country: 'US' },
  start: new Date(T0).toISOString(),
  end: new Date(T0 + 2 * H).toISOString(),
  expectedCustomers: 6,
  summary: 'test',
};
const place = { postalCode: null, city: 'Denver', region: 'CO', country: 'US' };

function msg(i: number, over: Partial<ScoredMessage>): ScoredMessage {
  return {
    ref: `m${i}`,
    at: T0 + i * 60_000,
    incidentId: null,
    complaint: true,
    real: false,
    customerKey: `c${i}`,
    problemId: null,
    ...over,
  };
}

describe('problems eval scoring', () => {
  it('detects an incident through a problem made of its complaints, with the delay after the fifth', () => {
    const messages = Array.from({ length: 6 }, (_, i) =>
      msg(i, { incidentId: 'inc1', problemId: 'p1' }),
    );
    const m = score(
      [incident],
      messages,
      [{ id: 'p1', topic: 'outage', area: place, detectedAt: T0 + 10 * 60_000 }],
      7,
    );
    expect(m.detected).toBe(1);
    expect(m.falseProblems).toBe(0);
    expect(m.delaysMin).toEqual([6]);
    expect(m.outcomes).toEqual([
      {
        size: 6,
        level: 'city',
        unnamed: false,
        detected: true,
        exactLevel: true,
        foundLevel: 'city',
        exactTopic: true,
      },
    ]);
    expect(m.tp).toBe(m.truePairs);
  });

  it('counts a city trouble found as its state as recall, but not at its own level', () => {
    const messages = Array.from({ length: 6 }, (_, i) =>
      msg(i, { incidentId: 'inc1', problemId: 'p1' }),
    );
    const state = { postalCode: null, city: null, region: 'CO', country: 'US' };
    const m = score(
      [incident],
      messages,
      [{ id: 'p1', topic: 'outage', area: state, detectedAt: T0 + 10 * 60_000 }],
      7,
    );
    expect(m.detectedRightPlace).toBe(1);
    expect(m.outcomes[0].exactLevel).toBe(false);
  });

  it('counts a text cluster for a named trouble as recall, but not as its own topic', () => {
    const messages = Array.from({ length: 6 }, (_, i) =>
      msg(i, { incidentId: 'inc1', problemId: 'p1' }),
    );
    const m = score(
      [incident],
      messages,
      [{ id: 'p1', topic: null, area: place, detectedAt: T0 + 10 * 60_000 }],
      7,
    );
    expect(m.detectedRightPlace).toBe(1);
    expect(m.outcomes[0]).toMatchObject({ exactLevel: true, exactTopic: false });
  });

  it('counts a problem made mostly of real background text as false, even at the incident’s place and time', () => {
    const messages = [
      ...Array.from({ length: 6 }, (_, i) => msg(i, { incidentId: 'inc1' })),
      ...Array.from({ length: 4 }, (_, i) =>
        msg(10 + i, { real: true, complaint: null, problemId: 'p2' }),
      ),
      msg(20, { incidentId: 'inc1', problemId: 'p2' }),
    ];
    const m = score(
      [incident],
      messages,
      [{ id: 'p2', topic: 'outage', area: place, detectedAt: T0 + 30 * 60_000 }],
      7,
    );
    expect(m.falseProblems).toBe(1);
    expect(m.falseFromReal).toBe(1);
    expect(m.detected).toBe(0);
  });

  it('credits a background-heavy problem only with the incident it linked, and only at its place and time', () => {
    const other: SimIncident = { ...incident, id: 'inc2' };
    const messages = [
      ...Array.from({ length: 6 }, (_, i) => msg(i, { incidentId: 'inc2' })),
      ...Array.from({ length: 10 }, (_, i) => msg(10 + i, { problemId: 'p3' })),
      // Two of inc1's complaints, but the problem opened after inc1 ended.
      msg(30, { incidentId: 'inc1', problemId: 'p3' }),
      msg(31, { incidentId: 'inc1', problemId: 'p3' }),
    ];
    const late = T0 + 3 * H;
    const m = score(
      [
        incident,
        {
          ...other,
          start: new Date(late - H).toISOString(),
          end: new Date(late + H).toISOString(),
        },
      ],
      messages,
      [{ id: 'p3', topic: 'outage', area: place, detectedAt: late }],
      7,
    );
    // Not inc1 (over by then), and not inc2 either: it linked none of inc2's complaints.
    expect(m.detected).toBe(0);
    expect(m.falseProblems).toBe(1);
  });

  it('makes a linked real message a wrong link in the pairwise F1, and ignores unlinked ones', () => {
    const members = Array.from({ length: 4 }, (_, i) =>
      msg(i, { incidentId: 'inc1', problemId: 'p1' }),
    );
    const problems = [{ id: 'p1', topic: 'outage', area: place, detectedAt: T0 + 5 * 60_000 }];
    const clean = score([incident], members, problems, 7);
    expect(clean.predPairs).toBe(6);
    const unlinkedReal = msg(9, { real: true, complaint: null });
    expect(score([incident], [...members, unlinkedReal], problems, 7).predPairs).toBe(6);
    const linkedReal = msg(9, { real: true, complaint: null, problemId: 'p1' });
    const m = score([incident], [...members, linkedReal], problems, 7);
    expect(m.tp).toBe(6);
    expect(m.predPairs).toBe(10);
  });
});

describe('problems eval attribution', () => {
  it('decides what a problem found by its first day, not by what it linked weeks later', () => {
    const early = Array.from({ length: 5 }, (_, i) =>
      msg(i, { incidentId: 'inc1', problemId: 'p1' }),
    );
    const weeksLater = Array.from({ length: 8 }, (_, i) =>
      msg(i, { at: T0 + 14 * 24 * H + i, problemId: 'p1' }),
    );
    const problems = [{ id: 'p1', topic: 'outage', area: place, detectedAt: T0 + 6 * 60_000 }];
    const m = score([incident], [...early, ...weeksLater], problems, 21);
    expect(m.detected).toBe(1);
    expect(m.falseProblems).toBe(0);
    // The later wrong links still cost linking precision.
    expect(m.predPairs).toBeGreaterThan(m.tp);
  });

  it('says which incidents lose linking pairs: unlinked complaints and ones spread over problems', () => {
    // 6 complaints: 3 on p1, 1 on p2, 2 unlinked -> 15 true pairs, 3 held, 12 lost.
    const where = ['p1', 'p1', 'p1', 'p2', null, null];
    const messages = where.map((problemId, i) => msg(i, { incidentId: 'inc1', problemId }));
    const m = score([incident], messages, [], 1);
    expect(m.truePairs).toBe(15);
    expect(m.tp).toBe(3);
    expect(m.linkingLosses).toEqual([
      {
        lost: 12,
        line: 'inc1 outage/city: 6 complaints, 3 on its largest problem, 1 on 1 other(s), 2 unlinked',
      },
    ]);
    const all = messages.map((x) => ({ ...x, problemId: 'p1' }));
    expect(score([incident], all, [], 1).linkingLosses).toEqual([]);
  });
  it('recalls an incident through a later duplicate of the right place when its first problem had another label', () => {
    // p1 (network, opened before the incident) took a few of its complaints first; p2 (the
    // right topic and place) opened during it: issue 6's recall asks for such a problem.
    const messages = [
      ...Array.from({ length: 3 }, (_, i) => msg(i, { incidentId: 'inc1', problemId: 'p1' })),
      ...Array.from({ length: 8 }, (_, i) => msg(10 + i, { incidentId: 'inc1', problemId: 'p2' })),
    ];
    const problems = [
      { id: 'p1', topic: 'network', area: place, detectedAt: T0 - H },
      { id: 'p2', topic: 'outage', area: place, detectedAt: T0 + 20 * 60_000 },
    ];
    const m = score([incident], messages, problems, 7);
    expect(m.detected).toBe(1);
    expect(m.detectedRightPlace).toBe(1);
    expect(m.duplicates).toBe(1);
    expect(m.mislabelled).toEqual([]);
    // The delay is the first problem's (opened before the incident: 0).
    expect(m.delaysMin).toEqual([0]);
    // Without it, the incident is found under the wrong label only.
    const only = score([incident], messages.slice(0, 3), problems.slice(0, 1), 7);
    expect(only.detectedRightPlace).toBe(0);
    expect(only.mislabelled).toEqual(['inc1 outage/city: network@Denver']);
  });
});
