/**
 * A young problem's key judged since its trouble began. The link window (4 hours) holds hours
 * of the key's ordinary complaints from before a trouble that began an hour ago: the outside
 * set's cold desk raised a country-wide billing trouble half an hour in, its 4-hour share
 * stayed below the posterior's 0.5 while its own hours were mostly excess, and its problem
 * linked 80, 152 and 177 of its ~370 complaints in the set's three draws (345, 343 and 343
 * judged this way; session 47). Since the onset `raise` found, the share is the trouble's;
 * from 4 hours on it is the link window's again. (It reads the key's 4-hour window entry by
 * entry, for a problem in its first 4 hours only; an index by time, as `Window.firsts` keeps
 * one by customer, would make that constant if it ever shows.)
 */
import type { DetectorConfig } from './config.js';
import type { Counts } from './counts.js';

export function excessSince(
  counts: Counts,
  config: Pick<DetectorConfig, 'linkWindow' | 'linkApart'>,
  key: string,
  since: number,
): { excess: number; share: number } {
  const ks = counts.keys.get(key);
  if (!ks || counts.cold) return counts.excess(key, config.linkWindow);
  const long = ks.windows[Math.min(config.linkWindow, ks.windows.length - 1)];
  const short = ks.windows[0];
  const span = counts.now - since;
  if (span >= long.ms) return counts.excess(key, config.linkWindow);
  if (span <= short.ms) return counts.excess(key, 0);
  long.evict(counts.now);
  const seen = new Set<string>();
  for (const e of long.entries()) if (e.at >= since) seen.add(e.customerId);
  if (seen.size === 0) return { excess: 0, share: 0 };
  // The expected count over the span, between the two windows' (it grows with time).
  const opts = { knownApart: config.linkApart };
  const inShort = counts.expected(ks, short.ms, opts);
  const inLong = counts.expected(ks, long.ms, opts);
  const expected = inShort + ((inLong - inShort) * (span - short.ms)) / (long.ms - short.ms);
  const excess = Math.max(0, seen.size - expected);
  return { excess, share: excess / seen.size };
}
