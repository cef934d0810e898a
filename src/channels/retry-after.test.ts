import { describe, expect, it } from 'vitest';
import { parseHttpDate, retryAfterMs } from './retry-after.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('Retry-After', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 7 ', NOW)).toBe(7_000);
    expect(retryAfterMs('0', NOW)).toBe(0);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 12:01:30 GMT', NOW)).toBe(90_000);
    expect(retryAfterMs('Tuesday, 01-Dec-26 12:00:05 GMT', NOW)).toBe(5_000);
    expect(retryAfterMs('Tue Dec  1 12:00:10 2026', NOW)).toBe(10_000);
  });

  it('retries at once when the date has passed', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 11:59:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('ignores what is neither, so the caller keeps its own back-off', () => {
    for (const v of [null, undefined, '', '  ', 'soon', '-5', '1 2', '7.5', '1e3', '0x10'])
      expect(retryAfterMs(v, NOW), String(v)).toBeUndefined();
    // Looks like a date but is not one.
    expect(retryAfterMs('Tue, 31 Feb 2026 12:00:00 GMT', NOW)).toBeUndefined();
    expect(retryAfterMs('Tue, 01 Dec 2026 25:00:00 GMT', NOW)).toBeUndefined();
    expect(retryAfterMs('Tue, 01 Foo 2026 12:00:00 GMT', NOW)).toBeUndefined();
    expect(retryAfterMs('Tue, 01 Dec 2026 12:00:00 PST', NOW)).toBeUndefined();
  });
});

describe('HTTP-date', () => {
  it('reads the three RFC 9110 forms as the same instant, in UTC', () => {
    const at = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(at);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(at);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(at);
  });

  it('reads a two-digit year as the latest one not more than 50 years ahead', () => {
    expect(parseHttpDate('Friday, 01-Jan-27 00:00:00 GMT', NOW)).toBe(Date.UTC(2027, 0, 1));
    expect(parseHttpDate('Wednesday, 01-Jan-76 00:00:00 GMT', NOW)).toBe(Date.UTC(2076, 0, 1));
    expect(parseHttpDate('Saturday, 01-Jan-77 00:00:00 GMT', NOW)).toBe(Date.UTC(1977, 0, 1));
    expect(parseHttpDate('Tuesday, 01-Jan-80 00:00:00 GMT', NOW)).toBe(Date.UTC(1980, 0, 1));
  });
});
