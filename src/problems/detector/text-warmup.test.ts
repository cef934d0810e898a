import { describe, expect, it } from 'vitest';
import { type Decision, Detector } from './detector.js';
import { CITIES, complain, HOUR, MIN, raises, seeded, T0, TOPICS } from './test-fixtures.js';

/*
 * Issue 6, outside-style set (desk high-swing): 384 customers wrote at 3 a.m. that their phone's
 * clock had jumped an hour. The desk had been open 45 hours, and word bursts were only tested
 * after 48: the trouble was raised three hours late, by which time most of its customers had
 * written and gone unlinked. A word's baseline is its share of the desk's complaints so far
 * (`counts.expected`), which a few hours of traffic already give; text clusters start after the
 * same warm-up as the area keys.
 */

/** Everyday complaints, each writer picking one of these, so words have their own rates. */
const EVERYDAY = [
  'my bill is wrong again this month',
  'charged twice for the same plan',
  'internet keeps dropping in the evening',
  'the router light is blinking orange',
  'still waiting for my replacement phone',
  'nobody called me back about the upgrade',
  'cannot log in to my account since yesterday',
  'my package was marked delivered but never came',
  'the app shows an error when I pay',
  'calls drop every time I drive to work',
  'why did my price go up without notice',
  'the technician never showed up today',
];

const SCATTERED = ['device', 'network', 'other', 'service'];
const BACKGROUND_TOPICS = [...TOPICS, 'other'];

function everyday(det: Detector, from: number, to: number, out: Decision[]) {
  const rnd = seeded(11);
  let n = 0;
  for (let t = from; t < to; ) {
    const hour = new Date(t).getUTCHours();
    t += Math.round((HOUR / (hour >= 12 && hour <= 23 ? 60 : 15)) * (0.5 + rnd()));
    const id = `bg-${n++}`;
    const area = rnd() < 0.3 ? null : CITIES[Math.floor(rnd() * CITIES.length)];
    const text = EVERYDAY[Math.floor(rnd() * EVERYDAY.length)];
    out.push(
      ...complain(
        det,
        id,
        t,
        area,
        BACKGROUND_TOPICS[Math.floor(rnd() * BACKGROUND_TOPICS.length)],
        text,
      ),
    );
  }
}

describe('problem detector: word bursts in a desk’s first two days', () => {
  it('raises a new kind of trouble ten hours after the desk opened', () => {
    const det = new Detector();
    const out: Decision[] = [];
    everyday(det, T0, T0 + 10 * HOUR, out);
    expect(raises(out)).toHaveLength(0);
    const burst: Decision[] = [];
    const start = T0 + 10 * HOUR;
    for (let i = 0; i < 30; i++)
      burst.push(
        ...complain(
          det,
          `clock-${i}`,
          start + i * MIN,
          null,
          // Triage files a trouble no topic names under several (as it did the clock's).
          SCATTERED[i % SCATTERED.length],
          'my phone clock jumped an hour ahead and I missed work',
        ),
      );
    // (Before, no word was tested in the first 48 hours: nothing was raised.)
    console.log(
      raises(burst).map((r) => [r.kind, r.topic, r.areaKey, r.baseline.key, r.at - start]),
    );
    const text = raises(burst).filter((r) => r.kind === 'text');
    expect(text).toHaveLength(1);
    expect(text[0].at - start).toBeLessThan(30 * MIN);
  });

  it('raises nothing from the everyday words of its first two days', () => {
    const det = new Detector();
    const out: Decision[] = [];
    everyday(det, T0, T0 + 48 * HOUR, out);
    expect(raises(out)).toHaveLength(0);
  });
});
