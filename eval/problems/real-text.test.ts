import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { Rng } from '../../src/simulate/prng.js';
import type { SimArea } from '../../src/simulate/sim.types.js';
import {
  cleanTweet,
  loadRealTextPool,
  placeLevelOf,
  type RealTextPool,
  realTextFor,
  withPlace,
} from './real-text.js';

const HOME: SimArea = { postalCode: '60608', city: 'Chicago', region: 'IL', country: 'US' };

const message = (externalId: string, channel: 'x' | 'sms' = 'x'): InboundMessage => ({
  channel,
  externalId,
  direction: 'in',
  author: { id: 'c1' },
  text: '',
  sentAt: '2025-03-03T12:00:00.000Z',
  visibility: channel === 'x' ? 'public' : 'private',
});

// A pool of our own made-up texts, so these checks run without ../shared/data.
const POOL: RealTextPool = {
  byTopic: new Map([
    [
      'outage',
      [
        { id: '1', text: 'internet has been out for hours, what is going on' },
        { id: '2', text: 'No signal at all today. Is there an outage?' },
        { id: '3', text: 'Service down again! Fix it' },
      ],
    ],
    ['billing', [{ id: '9', text: 'why was I charged twice this month' }]],
  ]),
};
const TOPIC_OF = new Map([...POOL.byTopic].flatMap(([t, l]) => l.map((x) => [x.id, t] as const)));

describe('real-text incidents', () => {
  it('cleans a tweet of URLs and @mentions', () => {
    expect(cleanTweet('@sprintcare my data is dead https://t.co/abc @115712 help &amp; fix')).toBe(
      'my data is dead help & fix',
    );
    expect(cleanTweet('email me at a@b.com @VerizonSupport')).toBe('email me at a@b.com');
  });

  it('reads the level of place the simulated text named', () => {
    expect(placeLevelOf('No service here in 60608 since 9:05 AM.', HOME)).toBe('postalCode');
    expect(placeLevelOf('no service in chicago, il since 9:05 am', HOME)).toBe('city');
    expect(placeLevelOf('No 5G around Chi-town for 20 minutes.', HOME)).toBe('city');
    expect(placeLevelOf('No 5G for 20 minutes. Account 16060899.', HOME)).toBeNull();
  });

  it('puts the place into the text at the same level, in varied shapes', () => {
    const shapes = new Set<string>();
    for (let s = 1; s <= 60; s++) {
      const zip = withPlace('Service down again! Fix it', HOME, 'postalCode', new Rng(s));
      expect(zip).toContain('60608');
      const city = withPlace('Service down again! Fix it', HOME, 'city', new Rng(s));
      expect(city).not.toContain('60608');
      expect(/Chicago|Chi-town|CHI/.test(city)).toBe(true);
      shapes.add(zip.replace('Service down again', '').replace('Fix it', ''));
    }
    expect(shapes.size).toBeGreaterThanOrEqual(5);
  });

  it('picks a tweet of the topic deterministically by the message, keeping the place', () => {
    const sim = '@KestrelHelp No service here in 60608 since 9:05 AM. Help!';
    const picked = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const m = message(`sim-eval-1-${i}`);
      const a = realTextFor(POOL, m, sim, 'outage', HOME);
      const b = realTextFor(POOL, m, sim, 'outage', HOME);
      expect(a).not.toBeNull();
      expect(a).toEqual(b);
      if (!a) continue;
      expect(TOPIC_OF.get(a.tweetId)).toBe('outage');
      expect(a.level).toBe('postalCode');
      expect(a.text).toContain('60608');
      expect(a.text.startsWith('@KestrelHelp ')).toBe(true);
      picked.add(a.tweetId);
    }
    expect(picked.size).toBe(3);
    // No place in the simulated text: none added; a private SMS carries no handle.
    const plain = realTextFor(
      POOL,
      message('sim-eval-1-7', 'sms'),
      'my bill is wrong',
      'billing',
      HOME,
    );
    expect(plain).toEqual({
      text: 'why was I charged twice this month',
      tweetId: '9',
      level: null,
    });
    // Trouble no topic names has no real tweets: the simulated text stays.
    expect(realTextFor(POOL, message('sim-eval-1-8'), sim, 'other', HOME)).toBeNull();
  });

  const pool = loadRealTextPool();
  it.runIf(!('skip' in pool))('draws only thread-opening tweets labelled with the topic', () => {
    if ('skip' in pool) return;
    for (const [topic, list] of pool.byTopic) {
      expect(list.length, topic).toBeGreaterThanOrEqual(5);
      for (const t of list) expect(t.text).not.toMatch(/@\w|https?:/);
    }
    expect(pool.byTopic.has('other')).toBe(false);
    expect(pool.byTopic.has('praise')).toBe(false);
    // Questions and offers the topic label covers are not an incident's complaints (labelled n).
    const ids = new Set([...pool.byTopic.values()].flat().map((t) => t.id));
    expect(ids.has('6942')).toBe(false); // "is the iPhone SE promotion only on the website…?"
    expect(ids.has('3072')).toBe(false); // "hurry up with gigabit internet that'd be great!"
    expect(ids.has('5108')).toBe(true); // "internet has been down for almost 30 mins now.."
  });
});
