import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN } from './calendar.js';
import { type Clocks, meetClock, startClock, unmeetClock } from './clocks.js';

const M = 60_000;
const targets = { first_response: 60, next_response: null, resolution: null, atRiskPercent: 80 };

/** Undoing a meeting (the reply that met the clock was never delivered). */
describe('unmeetClock', () => {
  const met = () => {
    const clocks: Clocks = {};
    startClock(ALWAYS_OPEN, clocks, 'first_response', targets, 0);
    meetClock(clocks, 'first_response', 10 * M);
    return clocks;
  };

  it('runs the clock again with the deadline it had', () => {
    const clocks = met();
    expect(unmeetClock(ALWAYS_OPEN, clocks, 'first_response', 10 * M, null, 11 * M, 80)).toBe(true);
    expect(clocks.first_response).toMatchObject({
      metAt: null,
      runningSince: 0,
      dueAt: 60 * M,
      atRiskAt: 48 * M,
      breached: false,
    });
  });

  it('banks the stretch up to a pause since, and leaves a clock met at another time alone', () => {
    const clocks = met();
    expect(unmeetClock(ALWAYS_OPEN, clocks, 'first_response', 9 * M, null, 11 * M, 80)).toBe(false);
    expect(clocks.first_response?.metAt).toBe(10 * M);
    // Pending on the customer from minute 20: 20 minutes used, nothing running.
    expect(unmeetClock(ALWAYS_OPEN, clocks, 'first_response', 10 * M, 20 * M, 30 * M, 80)).toBe(
      true,
    );
    expect(clocks.first_response).toMatchObject({
      metAt: null,
      usedMs: 20 * M,
      runningSince: null,
      dueAt: null,
    });
  });

  it('reads a clock met before the stretch was recorded as running from its start', () => {
    const clocks = met();
    delete clocks.first_response?.metFrom;
    unmeetClock(ALWAYS_OPEN, clocks, 'first_response', 10 * M, null, 11 * M, 80);
    expect(clocks.first_response?.dueAt).toBe(60 * M);
  });
});
