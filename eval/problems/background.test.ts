import { describe, expect, it } from 'vitest';
import { loadRealThreads, placeRealThreads } from './background.js';

const START = Date.UTC(2025, 2, 3);
const DAY = 86_400_000;

describe('real telecom threads as background text', async () => {
  const loaded = await loadRealThreads();
  const real = 'skip' in loaded ? null : loaded;
  if (!real) console.log(`skipping: ${'skip' in loaded ? loaded.skip : ''}`);

  it.runIf(real)('replays every thread once a week inside the window, parents first', () => {
    if (!real) return;
    const total = real.threads.reduce((a, t) => a + t.length, 0);
    const placed = placeRealThreads(real, 1, START, 14);
    expect(placed.length).toBe(2 * total);
    const all = new Set(placed.map((p) => p.message.externalId));
    const seen = new Set<string>();
    let prev = 0;
    let answered = 0;
    for (const { message: m } of placed) {
      const at = Date.parse(m.sentAt);
      expect(at).toBeGreaterThanOrEqual(START);
      expect(at).toBeLessThan(START + 14 * DAY);
      expect(at).toBeGreaterThanOrEqual(prev);
      prev = at;
      expect(seen.has(m.externalId)).toBe(false);
      // A reply whose parent is in the file comes after it.
      if (m.inReplyTo && all.has(m.inReplyTo)) {
        expect(seen.has(m.inReplyTo)).toBe(true);
        answered++;
      }
      seen.add(m.externalId);
      expect(m.raw).toBeUndefined();
    }
    expect(answered).toBeGreaterThan(placed.length / 3);
    // Another seed places the threads at other times.
    const other = placeRealThreads(real, 2, START, 14);
    expect(other.map((p) => p.message.sentAt)).not.toEqual(placed.map((p) => p.message.sentAt));
  });
});
