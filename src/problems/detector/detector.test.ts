import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { type Decision, Detector } from './detector.js';
import { binomialTail, mode, poissonTail } from './stats.js';
import { background, CITIES, HOUR, MIN, T0, TOPICS } from './test-fixtures.js';

const zip94110 = CITIES[0];

function complain(
  det: Detector,
  customerId: string,
  at: number,
  area: Area | null = zip94110,
  text = 'no service at all, everything is down',
) {
  det.observeMessage(customerId, area, at);
  return det.observeComplaint({
    ref: `${customerId}-${at}`,
    at,
    customerId,
    caseId: `case-${customerId}`,
    topic: 'outage',
    area,
    text,
  });
}

const raises = (ds: Decision[]) => ds.filter((d) => d.type === 'raise');

describe('problem detector', () => {
  it('Poisson tail matches known values', () => {
    expect(poissonTail(0, 3)).toBe(1);
    expect(poissonTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    expect(poissonTail(5, 0.1)).toBeCloseTo(7.66e-8, 9);
    expect(poissonTail(20, 10)).toBeCloseTo(0.003454, 5);
  });

  it('binomial tail matches known values', () => {
    expect(binomialTail(0, 5, 0.3)).toBe(1);
    expect(binomialTail(1, 3, 0.5)).toBeCloseTo(0.875, 12);
    expect(binomialTail(3, 3, 0.5)).toBeCloseTo(0.125, 12);
    expect(binomialTail(4, 3, 0.5)).toBe(0);
    // Eight of ten in a place with an eighth of the customers (same-trouble.ts homePlace).
    expect(binomialTail(8, 10, 1 / 8)).toBeCloseTo(2.1197e-6, 9);
    expect(binomialTail(60, 100, 0.5)).toBeCloseTo(0.028444, 5);
  });

  it('takes the commonest value, ignoring nulls, the first seen on a tie', () => {
    expect(mode(['a', null, 'b', 'b', null, null])).toEqual({ value: 'b', count: 2 });
    expect(mode(['a', 'b', 'b', 'a'])).toEqual({ value: 'a', count: 2 });
    expect(mode([null, null])).toEqual({ value: null, count: 0 });
  });

  it('stays quiet on two days of ordinary background', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 48 * HOUR, out);
    expect(raises(out)).toEqual([]);
  });

  it('raises one problem for a persistent spike in one ZIP, with its complainers linked', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 30 * HOUR, out);
    const start = T0 + 30 * HOUR;
    for (let i = 0; i < 12; i++) out.push(...complain(det, `sf-${i}`, start + i * 4 * MIN));
    const r = raises(out);
    expect(r).toHaveLength(1);
    const raise = r[0] as Extract<Decision, { type: 'raise' }>;
    expect(raise.topic).toBe('outage');
    expect(raise.area?.city).toBe('San Francisco');
    expect(raise.baseline.observed).toBeGreaterThanOrEqual(5);
    expect(raise.baseline.expected).toBeLessThan(raise.baseline.observed / 3);
    // Raised soon after the fifth complaint (persistence: ≥ 10 min spread), not at the first.
    expect(raise.at).toBeGreaterThanOrEqual(start + 4 * 4 * MIN);
    expect(raise.at).toBeLessThanOrEqual(start + 8 * 4 * MIN);
    // Nested levels (city, region, all) did not open more problems: one root cause, one problem.
    const linked = new Set(
      out
        .filter((d) => d.type === 'link' && d.problemId === raise.problemId)
        .map((d) => (d as { member: { customerId: string } }).member.customerId),
    );
    for (let i = 0; i < 12; i++) expect(linked.has(`sf-${i}`)).toBe(true);
  });

  it('ignores a one-off blip (many complaints within a minute, then nothing)', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 30 * HOUR, out);
    const start = T0 + 30 * HOUR;
    for (let i = 0; i < 7; i++) out.push(...complain(det, `blip-${i}`, start + i * 5_000));
    background(det, start + 2 * MIN, start + 3 * HOUR, out);
    expect(raises(out)).toEqual([]);
  });

  it('counts each customer once per window', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 30 * HOUR, out);
    const start = T0 + 30 * HOUR;
    for (let i = 0; i < 30; i++) out.push(...complain(det, 'angry-1', start + i * 3 * MIN));
    out.push(...complain(det, 'angry-2', start + 10 * MIN));
    expect(raises(out)).toEqual([]);
  });

  it('links a later complaint naming only the city to the ZIP problem, and the same case on arrival', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 30 * HOUR, out);
    const start = T0 + 30 * HOUR;
    for (let i = 0; i < 10; i++) out.push(...complain(det, `sf-${i}`, start + i * 4 * MIN));
    const raise = raises(out)[0] as Extract<Decision, { type: 'raise' }>;
    const city: Area = { ...zip94110, postalCode: null };
    const later = complain(det, 'sf-late', start + 60 * MIN, city);
    expect(later.find((d) => d.type === 'link')).toMatchObject({
      problemId: raise.problemId,
      reason: 'arrival',
    });
  });

  it('raises a text problem for a new kind of trouble no topic names', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 50 * HOUR, out);
    const start = T0 + 50 * HOUR;
    for (let i = 0; i < 14; i++) {
      const c = CITIES[i % CITIES.length];
      det.observeMessage(`vm-${i}`, c, start + i * 6 * MIN);
      out.push(
        ...det.observeComplaint({
          ref: `vm-${i}`,
          at: start + i * 6 * MIN,
          customerId: `vm-${i}`,
          caseId: `case-vm-${i}`,
          topic: TOPICS[i % TOPICS.length],
          area: c,
          text: `voicemails are not arriving on my phone ${i % 2 ? 'since monday' : 'at all'}`,
        }),
      );
    }
    const text = raises(out).filter((d) => d.type === 'raise' && d.kind === 'text');
    expect(text).toHaveLength(1);
    expect((text[0] as Extract<Decision, { type: 'raise' }>).terms).toEqual(['voicemail']);
  });

  it('raises a process problem for a spike of broken promises of one team', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0, T0 + 30 * HOUR, out);
    // Ordinary life: a broken promise now and then, across four teams.
    for (let h = 0; h < 30; h++) {
      const team = ['manila', 'austin', 'leeds', 'pune'][h % 4];
      out.push(
        ...det.observeProcess({
          ref: `bg-${h}`,
          kind: 'promise_broken',
          teamId: team,
          at: T0 + h * HOUR,
          customerId: `bgc-${h}`,
          caseId: `bgk-${h}`,
        }),
      );
    }
    expect(raises(out)).toEqual([]);
    for (let i = 0; i < 8; i++) {
      out.push(
        ...det.observeProcess({
          ref: `p-${i}`,
          kind: 'promise_broken',
          teamId: 'manila',
          at: T0 + 30 * HOUR + i * 5 * MIN,
          customerId: `c-${i}`,
          caseId: `k-${i}`,
        }),
      );
    }
    const r = raises(out);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ kind: 'process', teamId: 'manila' });
  });
});
