/**
 * Where the pairwise linking F1 loses its recall: per incident, the true pairs (two complaints of
 * the incident) that no one problem holds, and why — complaints left unlinked (mostly triage
 * calling them something else, or naming no place) or spread over several problems (duplicates,
 * or taken by a neighbour). The F1 is dominated by the largest incidents (pairs grow as n²), so
 * the few rows this prints explain most of the gap; see eval/problems/TUNING.md.
 */
import type { SimIncident } from '../../src/simulate/index.js';
import type { ScoredMessage } from './metrics.js';

export interface LinkingLoss {
  line: string;
  /** True pairs of this incident that no problem holds. */
  lost: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** One row per incident that lost pairs, largest loss first; `line` is what the report prints. */
export function linkingLosses(
  incidents: readonly SimIncident[],
  messages: readonly ScoredMessage[],
): LinkingLoss[] {
  // incident → problem (or '' for none) → complaints: the same units the F1 counts.
  const cells = new Map<string, Map<string, number>>();
  for (const m of messages) {
    if (m.complaint !== true || !m.incidentId) continue;
    const row = cells.get(m.incidentId) ?? new Map<string, number>();
    const key = m.problemId ?? '';
    row.set(key, (row.get(key) ?? 0) + 1);
    cells.set(m.incidentId, row);
  }
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const out: LinkingLoss[] = [];
  for (const [id, row] of cells) {
    let n = 0;
    let held = 0;
    let largest = 0;
    let problems = 0;
    for (const [problem, count] of row) {
      n += count;
      if (problem === '') continue;
      problems++;
      held += pairs(count);
      largest = Math.max(largest, count);
    }
    const lost = pairs(n) - held;
    if (lost === 0) continue;
    const unlinked = row.get('') ?? 0;
    const inc = byId.get(id);
    const what = inc ? `${inc.topic}/${inc.level}` : '?';
    out.push({
      lost,
      line: `${id} ${what}: ${n} complaints, ${largest} on its largest problem, ${n - unlinked - largest} on ${Math.max(0, problems - 1)} other(s), ${unlinked} unlinked`,
    });
  }
  return out.sort((a, b) => b.lost - a.lost);
}

/** The report's lines: the worst `top` incidents with their share of all true pairs lost. */
export function formatLinkingLosses(
  losses: readonly LinkingLoss[],
  truePairs: number,
  top = 6,
): string[] {
  const lost = losses.reduce((s, l) => s + l.lost, 0);
  const pct = (x: number) => `${((100 * x) / Math.max(1, truePairs)).toFixed(1)} %`;
  const head = `true pairs lost (real triage): ${pct(lost)} of ${truePairs}, over ${losses.length} incidents; the largest:`;
  return [
    head,
    ...[...losses]
      .sort((a, b) => b.lost - a.lost)
      .slice(0, top)
      .map((l) => `  ${pct(l.lost)} ${l.line}`),
  ];
}
