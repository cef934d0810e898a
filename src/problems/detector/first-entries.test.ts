import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { Counts, GLOBAL } from './counts.js';
import { placePace, placeQuiet } from './place-quiet.js';
import { CITIES, HOUR, MIN, seeded, T0 } from './test-fixtures.js';
import { chainOf, type Entry, explain, placeEntry, Window } from './window.js';

/**
 * The indexes the ingest path reads instead of whole windows (`FirstEntries`, placeQuiet's kept
 * pace) must answer exactly what reading the window answers, through adds, late adds (a case's
 * place filled in later), evictions, links, moves and areas given afterwards.
 */

function entry(i: number, customer: number, at: number, area: Area | null): Entry {
  return {
    ref: `m${i}`,
    at,
    customerId: `c${customer}`,
    caseId: `k${customer}`,
    topic: 'network',
    problemId: null,
    sig: null,
    area,
  };
}

/** What `Counts.members` lists: each customer's first queued entry, read from the queue. */
function firstsByReading(win: Window): Entry[] {
  const seen = new Set<string>();
  return win.entries().filter((e) => !seen.has(e.customerId) && !!seen.add(e.customerId));
}

describe('FirstEntries', () => {
  it('lists the customers, areas and chains reading the window does, step by step', () => {
    const rnd = seeded(11);
    const win = new Window(HOUR);
    let now = T0;
    const all: Entry[] = [];
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      now += Math.floor(rnd() * 40_000);
      // A few entries arrive late (up to 50 minutes), as a case's first complaint whose place
      // a later message named is counted then.
      const at = rnd() < 0.05 ? now - Math.floor(rnd() * 50 * MIN) : now;
      const area = rnd() < 0.3 ? null : CITIES[Math.floor(rnd() * CITIES.length)];
      const e = entry(i, Math.floor(rnd() * 150), at, area);
      all.push(e);
      win.evict(now);
      win.add(e);
      if (i === 500) win.firsts(); // built from a window already holding entries
      if (rnd() < 0.05) {
        const unplaced = all.filter((x) => !x.area);
        const x = unplaced[Math.floor(rnd() * unplaced.length)];
        if (x) placeEntry(x, CITIES[Math.floor(rnd() * CITIES.length)]);
      }
      if (i < 500 || i % 7 !== 0) continue;
      const index = win.firsts();
      const want = firstsByReading(win);
      expect([...index.entries()].map((e) => e.ref).sort()).toEqual(want.map((e) => e.ref).sort());
      expect(index.size).toBe(want.length);
      expect(index.named).toBe(want.filter((e) => e.area).length);
      const grouped = new Map<string, number[]>();
      for (const e of want.filter((x) => x.area)) {
        const k = chainOf(e).join('|');
        grouped.set(k, [...(grouped.get(k) ?? []), e.at].sort());
      }
      const got = new Map(
        [...index.byChain].map(([chain, m]) => [chain.join('|'), [...m.values()].sort()]),
      );
      expect(got).toEqual(grouped);
      checked++;
    }
    expect(checked).toBeGreaterThan(400);
    // The queue was compacted on the way (positions are absolute): the index still agrees.
    expect(win.head).toBeLessThan(all.length);
  });

  it('shares one chain array among entries of one place', () => {
    const a = entry(1, 1, T0, { ...CITIES[0] });
    const b = entry(2, 2, T0, { ...CITIES[0] });
    expect(chainOf(a)).toBe(chainOf(b));
    expect(chainOf(a)).not.toBe(chainOf(entry(3, 3, T0, CITIES[1])));
  });
});

/** `placeQuiet`'s pace as read from its windows: the last and the pace of its recent complainers. */
function paceByReading(config: DetectorConfig, counts: Counts, id: string, wins: Window[]) {
  const times = new Map<string, number>();
  for (const win of wins) {
    win.evict(counts.now);
    for (const e of win.entries()) {
      if (e.problemId !== id) continue;
      const at = times.get(e.customerId);
      if (at === undefined || e.at > at) times.set(e.customerId, e.at);
    }
  }
  if (times.size === 0) return null;
  const recent = [...times.values()].sort((a, b) => a - b).slice(-config.minCustomers);
  const last = recent[recent.length - 1];
  const span =
    recent.length > 1
      ? Math.max(config.bucketMs, last - recent[0])
      : config.windowsMs[config.linkWindow];
  return { last, pace: Math.max(1, recent.length - 1) / span };
}

describe('placeQuiet', () => {
  it('keeps the pace reading its windows gives while complaints come, leave, link and move', () => {
    const config = DEFAULT_DETECTOR_CONFIG;
    const counts = new Counts(config);
    const rnd = seeded(5);
    const austin = 't:US:TX:austin';
    const p = { id: 'P', keys: [`network@${austin}`], areaKey: austin, chain: [austin] };
    const q = { ...p, id: 'Q' };
    const own = counts.keyState(`network@${austin}`, 'area', 'network', austin);
    const any = counts.keyState(`*@${austin}`, 'area', '*', austin);
    const global = counts.keyState(GLOBAL, 'area', null, null);
    const wins = [own, any].map((ks) => ks.windows[config.linkWindow]);
    let now = T0;
    const answers = new Set<boolean>();
    let leftAlone = 0;
    let lastP: ReturnType<typeof paceByReading> = null;
    for (let i = 0; i < 4000; i++) {
      // Stretches of Austin's trouble, then hours of complaints elsewhere only, in which its
      // complainers leave the window one by one.
      const busy = Math.floor(i / 250) % 2 === 0;
      now += Math.floor(rnd() * (busy ? 90_000 : 4 * MIN));
      counts.advance(now);
      const e = entry(i, Math.floor(rnd() * 60), now, busy ? CITIES[2] : CITIES[0]);
      counts.addEntry(global, e);
      if (busy) {
        counts.addEntry(own, e);
        counts.addEntry(any, e);
        const r = rnd();
        if (r < 0.6) explain(e, 'P');
        else if (r < 0.65) explain(e, 'Q');
        // A move of an earlier complaint from one problem to the other.
        if (rnd() < 0.03) {
          const moved = wins[0].entries().find((x) => x.problemId === 'P');
          if (moved) counts.explain(moved, 'Q');
        }
      }
      for (const x of [p, q]) {
        const want = paceByReading(config, counts, x.id, wins);
        const got = placePace(config, counts, x.id, wins);
        expect(got && { last: got.last, pace: got.pace }).toEqual(want);
        // Complainers leaving the window alone (no new link) changed P's pace.
        if (!busy && x === p && JSON.stringify(want) !== JSON.stringify(lastP)) leftAlone++;
        if (x === p) lastP = want;
        answers.add(placeQuiet(config, counts, x));
      }
    }
    expect(leftAlone).toBeGreaterThan(10);
    expect(answers).toEqual(new Set([true, false]));
  });
});
