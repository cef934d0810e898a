import { describe, expect, it } from 'vitest';
import { Detector } from './detector/detector.js';
import type { DetectorInput } from './detector-input.js';
import { HistoryLane } from './history-lane.js';

const HOUR = 3_600_000;
const TODAY = Date.UTC(2026, 11, 3, 9);

const input = (i: number, at: number): DetectorInput => ({
  ref: `r${i}`,
  channel: 'sms',
  externalId: `m${i}`,
  at,
  customerId: `c${i}`,
  caseId: null,
  address: null,
  triage: null,
  text: 'hello',
  reopened: false,
  queueId: null,
});

/** Where a batch's messages go when the live detector stands at today (`HistoryLane.plan`). */
describe('the history lane', () => {
  const live = () => {
    const det = new Detector();
    det.observe({
      ref: 'today',
      at: TODAY,
      customerId: 'x',
      caseId: null,
      area: null,
      complaint: false,
      topic: 'other',
      text: 'hi',
    });
    return det;
  };

  it('leaves today’s messages and those within the longest window to the live detector', () => {
    const lane = new HistoryLane();
    const batch = [input(1, TODAY - 11 * HOUR), input(2, TODAY + HOUR)];
    expect(lane.plan(live(), batch, 0)).toEqual({ kind: 'none' });
  });

  it('builds at the earliest late message, whatever the order they came in', () => {
    const lane = new HistoryLane();
    const last = TODAY - 300 * 24 * HOUR;
    const batch = Array.from({ length: 25 }, (_, i) => input(i, last - (i % 5) * HOUR));
    batch.push(input(99, TODAY));
    const plan = lane.plan(live(), batch, 0);
    expect(plan.kind).toBe('build');
    if (plan.kind !== 'build') return;
    expect(plan.at).toBe(last - 4 * HOUR);
    expect(plan.past).toHaveLength(25);
    expect(plan.present.map((i) => i.ref)).toEqual(['r99']);
  });

  it('a few stragglers stay with the live detector until enough of them arrive', () => {
    const lane = new HistoryLane();
    const det = live();
    const old = TODAY - 2 * 24 * HOUR;
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 6 }, (_, i) => input(b * 10 + i, old + b * HOUR));
      expect(lane.plan(det, batch, b * 1000).kind).toBe('stragglers');
    }
    // The fourth small batch makes 24 within ten minutes: worth a detector of their time.
    const plan = lane.plan(det, [input(40, old), input(41, old)], 4000);
    expect(plan.kind).toBe('build');
  });
});
