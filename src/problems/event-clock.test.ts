import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { eventClockAt, eventNow, recordEventClock } from './event-clock.js';

const H = 3_600_000;

describe.each(ENGINES)('the detector clock on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;

  it('is the wall clock on a live desk and the stream’s place in a replay; it never runs back', async () => {
    const now = Date.UTC(2026, 11, 3, 12);
    expect(await eventNow(db(), 'ws-none', now)).toBe(now);
    // Live: the newest message arrived a minute after it was sent; hours later, still live.
    await recordEventClock(db(), 'ws-live', now - 3 * H, now - 3 * H + 60_000);
    expect(await eventNow(db(), 'ws-live', now)).toBe(now);
    // A replay of last March: arrived today.
    const march = Date.UTC(2025, 2, 3, 16);
    await recordEventClock(db(), 'ws-replay', march, now - H);
    expect(await eventNow(db(), 'ws-replay', now)).toBe(march);
    // An older batch does not move it back.
    await recordEventClock(db(), 'ws-replay', march - H, now);
    expect(await eventClockAt(db(), 'ws-replay')).toBe(march);
    await recordEventClock(db(), 'ws-replay', march + H, now);
    expect(await eventNow(db(), 'ws-replay', now)).toBe(march + H);
  });
});
