import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision } from './detector.js';
import { CITIES, complain, MIN, raises, warmed } from './test-fixtures.js';

/*
 * Outside-style desk overlap: Oakland's mobile data failed, and its customers wrote in many
 * words, most of them naming the city ("apps wont load on cellular #oakland", "data barely loads
 * all over Oakland"). The one word they shared was the city's name: its burst (`w:oakland`) was
 * raised as a problem no topic names before Oakland's network key stood out, so the incident was
 * found under no topic. A burst of its own place's name is left to that place's keys.
 */

const ATLANTA = CITIES[4];
/** Words no two complaints share ("appsa", "streamingb"), so only the shared word is common. */
const own = (stem: string, i: number) => `${stem}${String.fromCharCode(97 + i)}`;

function run(shared: string) {
  const { det, start } = warmed({
    text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * 3_600_000 },
  });
  const out: Decision[] = [];
  // 24 customers in 24 minutes, half of them placed by triage (the rest wrote the name in a
  // form it did not read as a place, or named none), all filed as network.
  for (let i = 0; i < 24; i++) {
    const text = `${shared} ${own('apps', i)} ${own('streaming', i)} ${own('pages', i)}`;
    out.push(
      ...complain(det, `atl-${i}`, start + i * MIN, i % 2 === 0 ? ATLANTA : null, 'network', text),
    );
  }
  return raises(out);
}

describe('problem detector: a word burst of its own place’s name', () => {
  it('is left to the place’s keys, which raise it under its topic', () => {
    const r = run('atlanta');
    expect(r.filter((d) => d.kind === 'text')).toHaveLength(0);
    expect(r.filter((d) => d.kind === 'area')).toHaveLength(1);
    expect(r[0]).toMatchObject({ topic: 'network', area: { city: 'Atlanta' } });
  });

  it('is raised by its word when the word is not the place’s name (the control)', () => {
    const r = run('atlantis');
    expect(r[0]).toMatchObject({ kind: 'text', topic: null });
  });
});
