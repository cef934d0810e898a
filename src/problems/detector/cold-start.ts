/**
 * A desk's first hours (its first `warmupMs` of event time, an empty database): no key has a
 * baseline yet, and the priors are learned from the very complaints being tested (on an empty
 * desk, 200 Denver outage complaints teach that Denver outages are the usual traffic), so the
 * raise test stays off. Only the desk's own other traffic can say what is unusual then: a named
 * topic in one place, or its topic group (`coldGroups`: triage splits an outage between outage
 * and network, and a Cleveland outage had neither alone enough), is raised when its customers
 * of the last hour, at least three times
 * `minCustomers`, are significantly more than its prior share (`key-prior.ts`: learned without
 * them, and as unsure as the few customers it was learned from) of every other complainer of
 * the desk in that hour, and the excess persists (`Counts.persistent`). Before, they had to
 * outnumber all of those together, and a city outage whose complaints mostly named no place
 * (they counted among the others) never could.
 */
import { ALL } from './areas.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC, type Counts } from './counts.js';
import { overdispersedTail } from './stats.js';
import type { Baseline } from './types.js';
import type { Entry, KeyState } from './window.js';

export function coldHit(config: DetectorConfig, counts: Counts, ks: KeyState): Baseline | null {
  const topic = ks.topic;
  if (ks.family !== 'area' || ks.areaKey === ALL || !topic) return null;
  if (topic === ANY_TOPIC || (topic.startsWith('g:') && !config.coldGroups)) return null;
  const win = ks.windows[0];
  const n = coldMembers(counts, ks).length;
  if (n < 3 * config.minCustomers) return null;
  const expected = counts.coldExpected(ks, 0);
  if (n <= expected) return null;
  const p = overdispersedTail(n, expected, counts.dispersionOf(ks));
  if (p > config.alpha) return null;
  if (!counts.persistent(ks, win, expected, config.minCustomers, config.alpha, false)) return null;
  return { key: ks.key, windowMinutes: win.ms / 60_000, observed: n, expected, pValue: p };
}

/** The complainers a cold raise takes: the last hour's that no problem explains. */
export function coldMembers(counts: Counts, ks: KeyState): Entry[] {
  return counts.members(ks, 0).filter((m) => !m.problemId);
}
