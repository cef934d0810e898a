import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.js';
import { parseStartTime } from './start-time.js';

describe('simulate --start', () => {
  it('reads ISO-8601; a time without a zone is UTC, whatever the machine zone', () => {
    expect(parseStartTime('2026-11-20')).toBe(Date.UTC(2026, 10, 20));
    expect(parseStartTime('2026-11-20T00:00')).toBe(Date.UTC(2026, 10, 20));
    expect(parseStartTime('2026-11-20T05:30:15.250Z')).toBe(Date.UTC(2026, 10, 20, 5, 30, 15, 250));
    expect(parseStartTime('2026-11-20T00:00:00-05:00')).toBe(Date.UTC(2026, 10, 20, 5));
    expect(parseStartTime('2026-11-20T00:00+05:30')).toBe(Date.UTC(2026, 10, 19, 18, 30));
  });

  it('refuses what Date.parse let through: bare numbers, words, dates that do not exist', () => {
    for (const bad of [
      '1',
      'December 1',
      '2026-02-30T00:00:00Z',
      '2026-13-01',
      '2026-11-20T24:00',
      '',
    ]) {
      expect(() => parseStartTime(bad), bad).toThrow(/start is not/);
    }
  });

  it('starts the simulated window there', () => {
    const first = simulate({
      scenario: 'demo',
      seed: 1,
      days: 0.2,
      start: '2026-11-20T00:00',
    }).next();
    expect(first.done).toBe(false);
    const at =
      first.value && first.value.type === 'message' ? Date.parse(first.value.message.sentAt) : NaN;
    expect(at).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 20));
    expect(at).toBeLessThan(Date.UTC(2026, 10, 20, 5));
  });
});
