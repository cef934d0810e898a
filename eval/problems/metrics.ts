import { areaChain } from '../../src/problems/detector/areas.js';
import type { SimIncident } from '../../src/simulate/index.js';
import { type LinkingLoss, linkingLosses } from './linking-losses.js';

/** One inbound customer message with its ground truth and what the system linked it to. */
export interface ScoredMessage {
  ref: string;
  at: number;
  incidentId: string | null;
  /** The simulator's truth; null for real background text (nobody labelled it). */
  complaint: boolean | null;
  /** From the real telecom threads (background.ts): never a member of any incident. */
  real: boolean;
  customerKey: string;
  problemId: string | null;
}

/** One incident's outcome, for the per-size and per-level breakdowns. */
export interface IncidentOutcome {
  size: number;
  level: string;
  /** Trouble no topic names (truth topic `other`). */
  unnamed: boolean;
  detected: boolean;
  /**
   * Found with the right topic at the incident's own level (a city's trouble as that city, not
   * its state): stricter than issue 6's recall, which takes a nested or surrounding area.
   */
  exactLevel: boolean;
  /** The finest area level of the problem that found it (right topic and place), else null. */
  foundLevel: string | null;
  /**
   * Found by a problem of exactly its topic (a text cluster, which names none, only for trouble
   * no topic names) in a nested or surrounding area: stricter than issue 6's recall, where a
   * text cluster counts for any topic.
   */
  exactTopic: boolean;
}

export interface ScoredProblem {
  id: string;
  topic: string | null;
  area: {
    postalCode: string | null;
    city: string | null;
    region: string | null;
    country: string | null;
  } | null;
  detectedAt: number;
}

export interface RunMetrics {
  incidents: number;
  detected: number;
  detectedRightPlace: number;
  falseProblems: number;
  duplicates: number;
  weeks: number;
  delaysMin: number[];
  tp: number;
  predPairs: number;
  truePairs: number;
  missed: string[];
  /** Incidents found by a problem of another topic or place (not recall as issue 6 counts it). */
  mislabelled: string[];
  /** Each second problem of an incident: what it was, how long after the first, and the first. */
  duplicateOf: string[];
  /** Problems that found no incident (background text among them), for the report. */
  falseOnes: string[];
  outcomes: IncidentOutcome[];
  /** Problems counted false because most of what they linked was real background text. */
  falseFromReal: number;
  /** Per incident, the true pairs no one problem holds (linking-losses.ts). */
  linkingLosses: LinkingLoss[];
}

const pairs = (n: number) => (n * (n - 1)) / 2;
/** How long after its detection a problem's links decide which incident it found. */
const ATTRIBUTION_MS = 24 * 3_600_000;

/**
 * Scores one run against the simulator's ground truth. A problem belongs to the incident that
 * most of the messages it linked in its first 24 hours came from (none, or mostly real
 * background text: a false problem; a second problem for one incident: a duplicate). An
 * incident is detected when one of its problems was opened before the incident ended; it is
 * recalled when one of them (the first, or a duplicate) also has the right place: the same
 * topic (any, for trouble no topic names) and a nested or equal area.
 */
export function score(
  incidents: SimIncident[],
  messages: ScoredMessage[],
  problems: ScoredProblem[],
  days: number,
): RunMetrics {
  const byProblem = new Map<string, Map<string | null, number>>();
  const realShare = new Map<string, { real: number; all: number }>();
  const detectedAt = new Map(problems.map((p) => [p.id, p.detectedAt]));
  for (const m of messages) {
    if (!m.problemId) continue;
    // What a problem is about is decided by its first day; what it links later (after a fix,
    // weeks on) is scored by the linking F1, not by which incident it found.
    if (m.at > (detectedAt.get(m.problemId) ?? Number.POSITIVE_INFINITY) + ATTRIBUTION_MS) continue;
    const c = byProblem.get(m.problemId) ?? new Map<string | null, number>();
    c.set(m.incidentId, (c.get(m.incidentId) ?? 0) + 1);
    byProblem.set(m.problemId, c);
    const r = realShare.get(m.problemId) ?? { real: 0, all: 0 };
    r.all++;
    if (m.real) r.real++;
    realShare.set(m.problemId, r);
  }
  const incidentById = new Map(incidents.map((i) => [i.id, i]));
  const matched = new Map<string, ScoredProblem>();
  // Every problem attributed to each incident, the first (`matched`) and its duplicates, oldest
  // first: recall takes any of them with the right topic and place (issue 6: "a problem of the
  // right topic/area opened during the incident").
  const attributed = new Map<string, ScoredProblem[]>();
  const duplicateOf: string[] = [];
  const falseOnes: string[] = [];
  let falseProblems = 0;
  let falseFromReal = 0;
  let duplicates = 0;
  for (const p of [...problems].sort((a, b) => a.detectedAt - b.detectedAt)) {
    // Mostly real background text: whatever it found, it was not an injected incident.
    const share = realShare.get(p.id);
    if (share && share.real * 2 > share.all) {
      falseProblems++;
      falseFromReal++;
      continue;
    }
    const counts = byProblem.get(p.id);
    let best: string | null = null;
    let bestN = 0;
    let bestIncident: string | null = null;
    let bestIncidentN = 0;
    for (const [inc, n] of counts ?? []) {
      if (n > bestN) {
        best = inc;
        bestN = n;
      }
      if (inc !== null && n > bestIncidentN) {
        bestIncident = inc;
        bestIncidentN = n;
      }
    }
    const during = (i: SimIncident) =>
      placeOk(i, p) && p.detectedAt >= Date.parse(i.start) && p.detectedAt <= Date.parse(i.end);
    let inc = best ? incidentById.get(best) : undefined;
    if (!inc && bestIncident) {
      // Mostly background, but with some of one incident's complaints: it found that incident
      // (and only that one) if it has its topic and place and opened while it went on; the
      // background it took costs linking precision.
      const i = incidentById.get(bestIncident);
      inc = i && during(i) ? i : undefined;
    } else if (!inc) {
      // Linked nothing of an incident (a country-wide problem links only what carries
      // evidence): it still finds one if it has the incident's topic and place and opened
      // while the incident went on.
      inc = incidents.find((i) => !matched.has(i.id) && during(i));
    }
    if (!inc) {
      falseProblems++;
      falseOnes.push(`${describe(p)} at ${new Date(p.detectedAt).toISOString().slice(0, 16)}`);
      continue;
    }
    attributed.set(inc.id, [...(attributed.get(inc.id) ?? []), p]);
    if (matched.has(inc.id)) {
      duplicates++;
      const first = matched.get(inc.id)!;
      duplicateOf.push(
        `${inc.id} ${inc.topic}/${inc.level}: ${describe(p)} +${((p.detectedAt - first.detectedAt) / 60_000).toFixed(0)} min after ${describe(first)}`,
      );
      continue;
    }
    matched.set(inc.id, p);
  }
  // The fifth distinct customer's first complaint of each incident.
  const firsts = new Map<string, Map<string, number>>();
  for (const m of messages) {
    if (!m.incidentId || !m.complaint) continue;
    const f = firsts.get(m.incidentId) ?? new Map<string, number>();
    if (!f.has(m.customerKey) || f.get(m.customerKey)! > m.at) f.set(m.customerKey, m.at);
    firsts.set(m.incidentId, f);
  }
  let detected = 0;
  let rightPlace = 0;
  const delays: number[] = [];
  const missed: string[] = [];
  const mislabelled: string[] = [];
  const outcomes: IncidentOutcome[] = [];
  for (const inc of incidents) {
    const end = Date.parse(inc.end);
    // Found by its first problem; recalled by the first of its problems with the right topic
    // and place opened before it ended (often the first itself).
    const first = matched.get(inc.id);
    const right = attributed.get(inc.id)?.find((x) => x.detectedAt <= end && placeOk(inc, x));
    const p = right ?? first;
    const ok = !!p && p.detectedAt <= end;
    outcomes.push({
      size: inc.expectedCustomers,
      level: inc.level,
      unnamed: inc.topic === 'other',
      detected: ok,
      exactLevel: ok && !!right && levelOfArea(right.area) === inc.level,
      foundLevel: ok && right ? levelOfArea(right.area) : null,
      exactTopic: ok && !!right && topicExact(inc, right),
    });
    if (!first || !p || p.detectedAt > end) {
      missed.push(
        `${inc.id} ${inc.topic}/${inc.level} n=${inc.expectedCustomers}${p ? ' (late)' : ''}`,
      );
      continue;
    }
    detected++;
    if (right) rightPlace++;
    else mislabelled.push(`${inc.id} ${inc.topic}/${inc.level}: ${describe(first)}`);
    // The delay is the first problem's: from then on the desk held the incident's complaints.
    const times = [...(firsts.get(inc.id)?.values() ?? [])].sort((x, y) => x - y);
    if (times.length >= 5) delays.push(Math.max(0, (first.detectedAt - times[4]) / 60_000));
  }
  // Pairwise linking F1 over customers' complaints (the simulator's truth, so a complaint
  // triage missed still counts against recall): a true pair is two complaints of one incident,
  // a predicted pair two complaints whose cases are linked to one problem. Background
  // complaints are singletons of truth; linking them to a problem makes false pairs. Real
  // background text carries no complaint label: it enters only when linked (a wrong link).
  const cells = new Map<string, number>();
  const predSizes = new Map<string, number>();
  const trueSizes = new Map<string, number>();
  for (const m of messages) {
    if (!(m.complaint === true || (m.real && m.problemId))) continue;
    if (m.problemId) predSizes.set(m.problemId, (predSizes.get(m.problemId) ?? 0) + 1);
    if (m.incidentId) trueSizes.set(m.incidentId, (trueSizes.get(m.incidentId) ?? 0) + 1);
    if (m.problemId && m.incidentId) {
      const k = `${m.incidentId}\u0000${m.problemId}`;
      cells.set(k, (cells.get(k) ?? 0) + 1);
    }
  }
  let tp = 0;
  for (const n of cells.values()) tp += pairs(n);
  let predPairs = 0;
  for (const n of predSizes.values()) predPairs += pairs(n);
  let truePairs = 0;
  for (const n of trueSizes.values()) truePairs += pairs(n);
  return {
    incidents: incidents.length,
    detected,
    detectedRightPlace: rightPlace,
    falseProblems,
    duplicates,
    weeks: days / 7,
    delaysMin: delays,
    tp,
    predPairs,
    truePairs,
    missed,
    mislabelled,
    duplicateOf,
    falseOnes,
    outcomes,
    falseFromReal,
    linkingLosses: linkingLosses(incidents, messages),
  };
}

/** A problem's topic and most precise place, for the report's lists. */
function describe(p: ScoredProblem): string {
  const a = p.area;
  const place = a ? (a.postalCode ?? a.city ?? a.region ?? a.country ?? 'anywhere') : 'anywhere';
  return `${p.topic ?? 'text'}@${place}`;
}

/** The finest level a problem's area names (`country` when it names none narrower). */
function levelOfArea(a: ScoredProblem['area']): string {
  if (a?.postalCode) return 'postalCode';
  if (a?.city) return 'city';
  if (a?.region) return 'region';
  return 'country';
}

/** Right topic (any, for trouble no topic names) and a nested or equal area. */
/** A named trouble under its own topic; a trouble no topic names as a text cluster or `other`. */
function topicExact(inc: SimIncident, p: ScoredProblem): boolean {
  return inc.topic === 'other' ? p.topic === null || p.topic === 'other' : p.topic === inc.topic;
}

function placeOk(inc: SimIncident, p: ScoredProblem): boolean {
  const topicOk = inc.topic === 'other' || p.topic === null || p.topic === inc.topic;
  const a = areaChain(inc.level === 'country' ? null : inc.area);
  const b = areaChain(
    p.area && (p.area.region || p.area.city || p.area.postalCode) ? p.area : null,
  );
  return topicOk && (a.includes(b[0]) || b.includes(a[0]));
}

export function combine(runs: RunMetrics[]): RunMetrics {
  const out: RunMetrics = {
    incidents: 0,
    detected: 0,
    detectedRightPlace: 0,
    falseProblems: 0,
    duplicates: 0,
    weeks: 0,
    delaysMin: [],
    tp: 0,
    predPairs: 0,
    truePairs: 0,
    missed: [],
    mislabelled: [],
    duplicateOf: [],
    falseOnes: [],
    outcomes: [],
    falseFromReal: 0,
    linkingLosses: [],
  };
  for (const r of runs) {
    out.incidents += r.incidents;
    out.detected += r.detected;
    out.detectedRightPlace += r.detectedRightPlace;
    out.falseProblems += r.falseProblems;
    out.duplicates += r.duplicates;
    out.weeks += r.weeks;
    out.delaysMin.push(...r.delaysMin);
    out.tp += r.tp;
    out.predPairs += r.predPairs;
    out.truePairs += r.truePairs;
    out.missed.push(...r.missed);
    out.mislabelled.push(...r.mislabelled);
    out.duplicateOf.push(...r.duplicateOf);
    out.falseOnes.push(...r.falseOnes);
    out.outcomes.push(...r.outcomes);
    out.falseFromReal += r.falseFromReal;
    out.linkingLosses.push(...r.linkingLosses);
  }
  return out;
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
}
