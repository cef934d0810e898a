/**
 * Whether a local problem's own place still goes on (`placeQuiet`), from the pace of its last
 * complainers there (`placePace`, kept while its windows stay as they were).
 */
import { ALL } from './areas.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC, type Counts } from './counts.js';
import type { ProblemView } from './types.js';
import type { Window } from './window.js';

/**
 * Whether the problem's own place has gone quiet: none of its complainers there for longer than
 * its recent pace makes likely (a Poisson gap of probability below `episode.alpha`). The pace is
 * that of its last `minCustomers` complainers linked in its place, read no finer than `bucketMs`.
 * A complaint naming no place is then not its trouble's: the coarse key's excess measures the
 * place's count over the link window (4 hours), which a 7-minute burst fills for 4 hours, and a
 * Denver burst's problem took every placeless outage complaint of a San Francisco outage that
 * began two hours later.
 */
export function placeQuiet(
  config: DetectorConfig,
  counts: Counts,
  p: Pick<ProblemView, 'id' | 'keys' | 'areaKey' | 'chain'>,
): boolean {
  // Its own keys there, and every topic of its place: its customers writing again about
  // the trouble under another topic (their case's place filled in) show it goes on.
  const keys = p.areaKey && p.areaKey !== ALL ? [...p.keys, `${ANY_TOPIC}@${p.areaKey}`] : p.keys;
  const wins: Window[] = [];
  for (const k of keys) {
    if (coarser(p, k)) continue;
    const ks = counts.keys.get(k);
    if (!ks) continue;
    const win = ks.windows[Math.min(config.linkWindow, ks.windows.length - 1)];
    win.evict(counts.now);
    wins.push(win);
  }
  const pace = placePace(config, counts, p.id, wins);
  if (!pace) return true;
  return Math.exp(-pace.pace * (counts.now - pace.last)) < config.episode.alpha;
}

interface PlacePace {
  config: DetectorConfig;
  wins: Window[];
  linked: number[];
  evictions: number[];
  pace: { last: number; pace: number; oldest: number; full: boolean } | null;
}

/** Per detector's counts, per problem: its place's pace, while its windows stay as they were. */
const paces = new WeakMap<Counts, Map<string, PlacePace>>();

/**
 * The pace of the problem's last `minCustomers` complainers linked in its place, and when the
 * last of them came (null: none). It reads every entry of its place's windows (a big trouble's
 * thousands), and is asked for every complaint of its topic naming a coarser place, so it is
 * kept while no entry linked to a problem came into, or changed in, those windows
 * (`Window.linkedVersion`); entries that left them (`evictions`) change nothing while it
 * counted `minCustomers` complainers and the oldest of them is still inside the window (the
 * others left were not among them).
 */
export function placePace(
  config: DetectorConfig,
  counts: Counts,
  problemId: string,
  wins: Window[],
): PlacePace['pace'] {
  let byProblem = paces.get(counts);
  if (!byProblem) {
    byProblem = new Map();
    paces.set(counts, byProblem);
  }
  const kept = byProblem.get(problemId);
  if (
    kept &&
    kept.config === config &&
    kept.wins.length === wins.length &&
    kept.wins.every(
      (w, i) =>
        w === wins[i] &&
        w.linkedVersion === kept.linked[i] &&
        (w.evictions === kept.evictions[i] ||
          (!!kept.pace && kept.pace.full && kept.pace.oldest >= counts.now - w.ms)),
    )
  )
    return kept.pace;
  const times = new Map<string, number>();
  for (const win of wins) {
    for (let i = win.head; i < win.queue.length; i++) {
      const e = win.queue[i];
      if (e.problemId !== problemId) continue;
      const at = times.get(e.customerId);
      if (at === undefined || e.at > at) times.set(e.customerId, e.at);
    }
  }
  let pace: PlacePace['pace'] = null;
  if (times.size > 0) {
    const sorted = [...times.values()].sort((a, b) => a - b);
    const recent = sorted.slice(-config.minCustomers);
    const last = recent[recent.length - 1];
    const windowMs = config.windowsMs[Math.min(config.linkWindow, config.windowsMs.length - 1)];
    const span = recent.length > 1 ? Math.max(config.bucketMs, last - recent[0]) : windowMs;
    pace = {
      last,
      pace: Math.max(1, recent.length - 1) / span,
      oldest: recent[0],
      full: recent.length === config.minCustomers,
    };
  }
  // One small record per problem ever asked about; a long-lived desk's are dropped now and then.
  if (byProblem.size > 10_000) byProblem.clear();
  byProblem.set(problemId, {
    config,
    wins,
    linked: wins.map((w) => w.linkedVersion),
    evictions: wins.map((w) => w.evictions),
    pace,
  });
  return pace;
}

/** A key of an area wider than the problem's own place (one of its place's ancestors). */
export function coarser(p: Pick<ProblemView, 'areaKey' | 'chain'>, key: string): boolean {
  const area = key.slice(key.indexOf('@') + 1);
  return area !== p.areaKey && p.chain.includes(area);
}
