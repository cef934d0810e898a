import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  addBusinessMs,
  businessMsBetween,
  type Calendar,
  isAlwaysOpen,
  zonedToUtc,
} from './calendar.js';

const H = 3_600_000;
const nine2five = (timeZone: string, holidays: string[] = []): Calendar => ({
  timeZone,
  hours: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [['09:00', '17:00']]])),
  holidays,
});
const ny = (y: number, m: number, d: number, h: number, min = 0) =>
  zonedToUtc(y, m, d, h * 60 + min, 'America/New_York');

describe('business hours', () => {
  it('converts local wall time in a zone, DST included', () => {
    expect(new Date(ny(2026, 1, 15, 9)).toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(new Date(ny(2026, 7, 15, 9)).toISOString()).toBe('2026-07-15T13:00:00.000Z');
    // 02:30 does not exist on 8 March 2026 in New York: moved forward by the gap.
    expect(new Date(ny(2026, 3, 8, 2, 30)).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('adds business time across nights and weekends', () => {
    const cal = nine2five('America/New_York');
    // Friday 16:00 + 2 business hours = Monday 10:00.
    expect(addBusinessMs(cal, ny(2026, 1, 16, 16), 2 * H)).toBe(ny(2026, 1, 19, 10));
    // Before opening: the clock starts at 09:00.
    expect(addBusinessMs(cal, ny(2026, 1, 14, 7), 1 * H)).toBe(ny(2026, 1, 14, 10));
    // Saturday message: due Monday.
    expect(addBusinessMs(cal, ny(2026, 1, 17, 12), 30 * 60_000)).toBe(ny(2026, 1, 19, 9, 30));
    expect(businessMsBetween(cal, ny(2026, 1, 16, 16), ny(2026, 1, 19, 10))).toBe(2 * H);
  });

  it('crosses the DST change: wall-clock hours, not elapsed hours', () => {
    const cal = nine2five('America/New_York');
    // Friday 6 March 16:00 EST (21:00Z) + 2 h → Monday 9 March 10:00 EDT (14:00Z).
    const due = addBusinessMs(cal, ny(2026, 3, 6, 16), 2 * H);
    expect(new Date(due).toISOString()).toBe('2026-03-09T14:00:00.000Z');
    // Open around the clock: the night of the change has 23 hours.
    const always: Calendar = { ...ALWAYS_OPEN, timeZone: 'America/New_York' };
    expect(businessMsBetween(always, ny(2026, 3, 8, 0), ny(2026, 3, 9, 0))).toBe(23 * H);
    expect(businessMsBetween(always, ny(2026, 11, 1, 0), ny(2026, 11, 2, 0))).toBe(25 * H);
    // London and New York change on different dates; each calendar follows its own zone.
    const london = nine2five('Europe/London');
    expect(new Date(addBusinessMs(london, Date.UTC(2026, 2, 27, 16), 2 * H)).toISOString()).toBe(
      '2026-03-30T09:00:00.000Z',
    );
  });

  it('skips holidays', () => {
    const cal = nine2five('America/New_York', ['2026-12-25']);
    // Thursday 24 Dec 16:00 + 2 h: Friday 25 is a holiday → Monday 28 at 10:00.
    expect(addBusinessMs(cal, ny(2026, 12, 24, 16), 2 * H)).toBe(ny(2026, 12, 28, 10));
    expect(businessMsBetween(cal, ny(2026, 12, 24, 9), ny(2026, 12, 29, 9))).toBe(16 * H);
  });

  it('counts around the clock on a calendar with no usable hours, rather than failing', () => {
    // Creation refuses such calendars; one stored anyway must not fail intake.
    for (const hours of [{}, { mon: [['09:00', '17:00']] }, { '1': [['17:00', '09:00']] }]) {
      const cal = { timeZone: 'UTC', hours, holidays: [] } as unknown as Calendar;
      expect(addBusinessMs(cal, 0, H)).toBe(H);
      expect(businessMsBetween(cal, 0, 3 * H)).toBe(3 * H);
    }
    // A malformed interval next to a good one is skipped, not counted backwards.
    const mixed = {
      timeZone: 'UTC',
      hours: {
        '1': [
          ['17:00', '09:00'],
          ['09:00', '10:00'],
        ],
      },
      holidays: [],
    } as unknown as Calendar;
    const monday9 = Date.UTC(2026, 10, 2, 9);
    expect(addBusinessMs(mixed, monday9, H / 2)).toBe(monday9 + H / 2);
  });

  it('counts overlapping or out-of-order hours of a stored calendar once, in time order', () => {
    // The API refuses overlaps now; calendars stored before that (or by hand) still count right.
    const every = (pairs: [string, string][]): Calendar => ({
      timeZone: 'UTC',
      hours: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, pairs])),
      holidays: [],
    });
    const at = (h: number, min = 0) => Date.UTC(2026, 4, 12, h, min);
    const outOfOrder = every([
      ['22:00', '23:00'],
      ['21:00', '22:00'],
    ]);
    const overlapping = every([
      ['21:00', '22:00'],
      ['21:30', '23:00'],
    ]);
    const contained = every([
      ['20:00', '23:00'],
      ['21:00', '22:00'],
    ]);
    // 20:25 + 90 business minutes, open 21:00–23:00: due 22:30.
    expect(addBusinessMs(outOfOrder, at(20, 25), 90 * 60_000)).toBe(at(22, 30));
    expect(addBusinessMs(overlapping, at(20, 25), 90 * 60_000)).toBe(at(22, 30));
    expect(addBusinessMs(contained, at(20, 25), 90 * 60_000)).toBe(at(21, 55));
    // 21:30 + 2 h spills into the next day's opening.
    expect(addBusinessMs(overlapping, at(21, 30), 2 * H)).toBe(Date.UTC(2026, 4, 13, 21, 30));
    expect(businessMsBetween(outOfOrder, at(20), at(23, 30))).toBe(2 * H);
    expect(businessMsBetween(overlapping, at(20), at(23, 30))).toBe(2 * H);
    expect(businessMsBetween(contained, at(20), at(23, 30))).toBe(3 * H);
    expect(businessMsBetween(overlapping, at(21, 45), at(22, 15))).toBe(30 * 60_000);
  });

  it('runs hours ending at 24:00 into the next day and keeps DST days right when split', () => {
    const nights: Calendar = {
      timeZone: 'America/New_York',
      hours: Object.fromEntries(
        ['0', '1', '2', '3', '4', '5', '6'].map((d) => [
          d,
          [
            ['22:00', '24:00'],
            ['00:00', '02:00'],
          ],
        ]),
      ),
      holidays: [],
    };
    // Tuesday 23:00 + 2 h: one hour to midnight, one after it.
    expect(addBusinessMs(nights, ny(2026, 1, 13, 23), 2 * H)).toBe(ny(2026, 1, 14, 1));
    // Spring forward, 8 March 2026: 00:00–02:00 is still two wall-clock hours of business.
    expect(addBusinessMs(nights, ny(2026, 3, 7, 23), 3 * H)).toBe(ny(2026, 3, 8, 3));
    expect(businessMsBetween(nights, ny(2026, 3, 7, 22), ny(2026, 3, 8, 12))).toBe(4 * H);
    // Hours overlapping across the skipped hour are counted once, never backwards.
    const gap: Calendar = {
      timeZone: 'America/New_York',
      hours: {
        '0': [
          ['01:00', '02:30'],
          ['02:15', '04:00'],
        ],
      },
      holidays: [],
    };
    expect(businessMsBetween(gap, ny(2026, 3, 8, 0), ny(2026, 3, 8, 5))).toBe(2 * H);
    // 02:30 is moved to 03:30 EDT, past the next interval's 03:00: the half hour counts once.
    const skipped: Calendar = {
      ...gap,
      hours: {
        '0': [
          ['00:30', '02:30'],
          ['03:00', '04:00'],
        ],
      },
    };
    expect(businessMsBetween(skipped, ny(2026, 3, 8, 0), ny(2026, 3, 8, 5))).toBe(2.5 * H);
  });

  it('counts elapsed time on an always-open calendar, as walking its days does', () => {
    const allDay = (timeZone: string): Calendar => ({
      ...ALWAYS_OPEN,
      timeZone,
      hours: { ...ALWAYS_OPEN.hours },
    });
    // The same opening hours split in two each day: not recognised, so it walks day by day.
    const walked = (timeZone: string): Calendar => ({
      timeZone,
      hours: Object.fromEntries(
        ['0', '1', '2', '3', '4', '5', '6'].map((d) => [
          d,
          [
            ['00:00', '12:00'],
            ['12:00', '24:00'],
          ],
        ]),
      ),
      holidays: [],
    });
    expect(isAlwaysOpen(ALWAYS_OPEN)).toBe(true);
    expect(isAlwaysOpen(walked('UTC'))).toBe(false);
    expect(isAlwaysOpen({ ...allDay('UTC'), holidays: ['2026-12-25'] })).toBe(false);
    expect(isAlwaysOpen(nine2five('UTC'))).toBe(false);
    for (const zone of ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe']) {
      const fast = allDay(zone);
      const slow = walked(zone);
      expect(isAlwaysOpen(fast)).toBe(true);
      // Starts around both 2026 DST changes of each zone, durations up to three days.
      for (const start of [Date.UTC(2026, 2, 7, 22, 17), Date.UTC(2026, 9, 31, 23, 59)]) {
        for (const ms of [0, 1, 59 * 60_000, 4 * H + 7, 25 * H, 72 * H]) {
          expect(addBusinessMs(fast, start, ms)).toBe(addBusinessMs(slow, start, ms));
          expect(businessMsBetween(fast, start, start + ms)).toBe(
            businessMsBetween(slow, start, start + ms),
          );
        }
      }
    }
  });
});
