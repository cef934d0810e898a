import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision, Detector } from './detector.js';
import { CITIES, complain, HOUR, MIN, raises, warmed } from './test-fixtures.js';

/*
 * A problem's episode goes on while customers NEW to it keep coming in excess (`episode.ts`):
 * its own customers writing again are no new trouble.
 */

const AUSTIN = CITIES[2];

/** A complaint of a known customer in a new conversation (a follow-up, not a reply). */
function followUp(det: Detector, id: string, at: number): Decision[] {
  return det.observe({
    ref: `${id}-again-${at}`,
    at,
    customerId: id,
    caseId: `case-${id}-${at}`,
    area: AUSTIN,
    complaint: true,
    topic: 'outage',
    text: 'still nothing works here, any news?',
  });
}

function outageThenAnother(freshOnly: boolean) {
  const { det, out, start } = warmed({
    episode: { ...DEFAULT_DETECTOR_CONFIG.episode, freshOnly },
  });
  // A 60-customer Austin outage in half an hour ...
  for (let i = 0; i < 60; i++) out.push(...complain(det, `a-${i}`, start + i * 30_000, AUSTIN));
  // ... whose customers ask for news every 40 minutes for nine hours, ten at a time ...
  for (let t = start + HOUR, k = 0; t < start + 10 * HOUR; t += 40 * MIN, k++)
    for (let j = 0; j < 10; j++) out.push(...followUp(det, `a-${(k * 10 + j) % 60}`, t + j * MIN));
  // ... and a new trouble of Austin's network, eleven hours after the outage began.
  const next = start + 11 * HOUR;
  for (let i = 0; i < 30; i++)
    out.push(...complain(det, `b-${i}`, next + i * 2 * MIN, AUSTIN, 'network', 'no signal'));
  return { raised: raises(out), next };
}

describe('episode', () => {
  it("a trouble's own customers writing again do not keep it on: the next trouble of its place is a new problem", () => {
    const { raised, next } = outageThenAnother(true);
    expect(raised).toHaveLength(2);
    expect(raised[1].at).toBeGreaterThanOrEqual(next);
    expect(raised[1].at).toBeLessThan(next + HOUR);
    expect(raised[1].topic).toBe('network');
    // Control: counted as new evidence, the follow-ups keep the outage "on", and it takes the
    // network trouble (the test can fail).
    expect(outageThenAnother(false).raised).toHaveLength(1);
  });
});
