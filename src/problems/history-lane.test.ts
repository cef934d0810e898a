import { describe, expect, it } from 'vitest';
import { Detector } from './detector/detector.js';
import type { ProblemView } from './detector/types.js';
import type { DetectorInput } from './detector-input.js';
import { existedBy, HistoryLane } from './history-lane.js';

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
  /** A detector standing at `at` (event time). */
  const standingAt = (at: number) => {
    const det = new Detector();
    det.observe({
      ref: `stand-${at}`,
      at,
      customerId: 'x',
      caseId: null,
      area: null,
      complaint: false,
      topic: 'other',
      text: 'hi',
    });
    return det;
  };
  const live = () => standingAt(TODAY);

  it('leaves today’s messages and those within the shortest window to the live detector', () => {
    const lane = new HistoryLane();
    const batch = [input(1, TODAY - 0.9 * HOUR), input(2, TODAY + HOUR)];
    expect(lane.plan(live(), batch, 0)).toEqual({ kind: 'none' });
  });

  it('a message that left the shortest window is history: alone, a straggler', () => {
    const lane = new HistoryLane();
    const batch = [input(1, TODAY - 11 * HOUR), input(2, TODAY + HOUR)];
    expect(lane.plan(live(), batch, 0)).toEqual({ kind: 'stragglers' });
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
    // Today's message is live traffic: the history is months behind.
    expect(plan.caughtUp).toBe(false);
    expect(plan.present.map((i) => i.ref)).toEqual(['r99']);
  });

  it('history hours behind the live time goes to a detector of its own (not only beyond 12 h)', () => {
    const lane = new HistoryLane();
    const batch = Array.from({ length: 25 }, (_, i) => input(i, TODAY - 8 * HOUR + i * 60_000));
    const plan = lane.plan(live(), batch, 0);
    expect(plan.kind).toBe('build');
    if (plan.kind === 'build') expect(plan.caughtUp).toBe(false);
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

  it('history that reaches the live time takes the whole batch, then hands over', () => {
    const lane = new HistoryLane();
    const det = live();
    lane.detector = standingAt(TODAY - 3 * HOUR);
    // Still hours behind: the history detector keeps the history, nothing to hand over.
    expect(lane.settle(det, 0)).toBeNull();
    const far = lane.plan(det, [input(1, TODAY - 2.5 * HOUR)], 0);
    expect(far).toMatchObject({ kind: 'reuse', caughtUp: false });
    // The stream crosses into the live detector's shortest window: all of it to the history.
    const crossing = [input(2, TODAY - 1.5 * HOUR), input(3, TODAY - 0.5 * HOUR)];
    const plan = lane.plan(det, crossing, 1000);
    expect(plan).toMatchObject({ kind: 'reuse', caughtUp: true });
    if (plan.kind !== 'reuse') return;
    expect(plan.present.map((i) => i.ref)).toEqual(['r3']);
    // Once it stands within that window, the next batch rebuilds the live detector from
    // storage up to the later of the two times, and the history detector is gone.
    lane.detector = standingAt(TODAY - 0.5 * HOUR);
    expect(lane.settle(det, 2000)).toBe(TODAY);
    expect(lane.detector).toBeNull();
  });

  it('a batch of the present right after the history stopped close behind still goes to it', () => {
    const lane = new HistoryLane();
    const det = live();
    lane.detector = standingAt(TODAY - 1.5 * HOUR);
    const plan = lane.plan(det, [input(1, TODAY - 0.9 * HOUR)], 0);
    expect(plan).toMatchObject({ kind: 'reuse', caughtUp: true, past: [] });
  });

  it('history of long ago that went idle is dropped without rebuilding the live detector', () => {
    const lane = new HistoryLane();
    const det = live();
    lane.detector = standingAt(TODAY - 300 * 24 * HOUR);
    expect(lane.settle(det, 60_000)).toBeNull();
    expect(lane.detector).not.toBeNull();
    expect(lane.settle(det, 11 * 60_000)).toBeNull();
    expect(lane.detector).toBeNull();
    // Idle within the live detector's windows: rebuilt, to know that history.
    lane.detector = standingAt(TODAY - 5 * HOUR);
    expect(lane.settle(det, 30 * 60_000)).toBe(TODAY);
  });
});

/** Which open problems a detector may decide on (`existedBy`). */
describe('the problems a detector sees', () => {
  const LAST_JUNE = Date.UTC(2025, 5, 2, 1);
  const view = (id: string, detectedAt: number) => ({ id, detectedAt }) as ProblemView;
  const views = [view('last-year', LAST_JUNE - 2 * HOUR), view('today', TODAY - 20 * HOUR)];

  it('a detector that has seen nothing stands at the first message it is about to see', () => {
    // `throughline simulate` of last June, straight into a desk with today's demo outage: that
    // outage did not exist yet, so June's complaints must not move it.
    expect(existedBy(new Detector(), views, LAST_JUNE).map((v) => v.id)).toEqual(['last-year']);
    expect(existedBy(new Detector(), views, TODAY).map((v) => v.id)).toEqual([
      'last-year',
      'today',
    ]);
  });

  it('with no message either, it sees them all (a problem made by hand before any traffic)', () => {
    expect(existedBy(new Detector(), views).map((v) => v.id)).toEqual(['last-year', 'today']);
  });
});
