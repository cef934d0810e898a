import { ALL } from './areas.js';
import type { DetectorParts } from './book.js';
import type { Decision } from './types.js';
import type { Entry } from './window.js';

/**
 * The earlier complaints naming no place of a local trouble, linked once one of them passes.
 *
 * A complaint naming no place joins a local problem through its topic's country-wide key only
 * when that key's recent complainers are mostly excess (`matchOnArrival`). At a sudden trouble's
 * first minutes the key's hours of background still outweigh the burst, so its first complaints
 * naming no place were turned away, and nothing judged them again: a Phoenix network trouble of
 * 537 customers in 50 minutes kept 28 of them unlinked, all written in its first 40 seconds
 * (outside-style desk, draw c). When a later one of the same topic passes, the evidence is the
 * same for those before it since the trouble's onset: each one then joins too.
 *
 * Only complaints of the very topic, naming no place, on no problem's case, written since the
 * problem's onset (`book.onsetAt`: a problem made from a detection, not by hand or merged) and
 * in the last hour (the key's shortest window).
 */
export function catchUpPlaceless(
  parts: DetectorParts,
  problemId: string,
  passed: Entry,
  out: Decision[],
): void {
  const { counts, book } = parts;
  const p = book.problems.get(problemId);
  // (A complaint that followed its case to the problem is no new evidence.)
  if (!p?.areaKey || p.areaKey === ALL || (passed.caseId && book.caseProblem.has(passed.caseId)))
    return;
  const onset = book.onsetAt.get(p.id);
  const topic = passed.topic;
  const ks = counts.keys.get(`${topic}@${ALL}`);
  const once = `${p.id} ${topic}`;
  if (onset === undefined || !ks || book.caughtUp.has(once)) return;
  // Once, at the first that passes: those turned away later (the trouble fading, the key's
  // background back in the majority) were judged with the evidence there was.
  book.caughtUp.add(once);
  // Those since shortly before it was raised, not since its onset: a raise's first member may
  // be an everyday complaint of its place from an hour before the trouble, and the country's
  // complaints since then are mostly background.
  const from = Math.max(onset, p.detectedAt - LEAD_MS);
  for (const m of counts.members(ks, 0)) {
    if (m === passed || m.problemId || m.area || m.topic !== topic || m.at < from) continue;
    if (m.caseId && book.caseProblem.has(m.caseId)) continue;
    out.push(book.linkEntry(p.id, m, 'arrival'));
  }
}

/** How long before a problem was raised its topic's complaints naming no place are caught up. */
const LEAD_MS = 10 * 60_000;
