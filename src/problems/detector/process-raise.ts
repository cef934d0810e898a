import { newId } from '../../platform/ids.js';
import type { DetectorParts } from './book.js';
import type { Decision, ProcessSignal } from './types.js';
import type { KeyState } from './window.js';

/**
 * A team's process key (broken promises, SLA breaches, repeat contacts) significantly above its
 * baseline raises a process problem owned by that team, linking the cases of its recent signals.
 * A case another live problem holds stays there: a broken promise on an outage's case is no
 * complaint, and its customer waits for the outage's news (QA: a callback promise that broke
 * moved a case out of "outage — San Francisco", whose fix notice it then never got).
 */
export function raiseProcess(
  { config, counts, book }: DetectorParts,
  ks: KeyState,
  s: ProcessSignal,
  out: Decision[],
): void {
  if (counts.firstAt === null || counts.now - counts.firstAt < config.warmupMs) return;
  const hit = counts.significant(ks, config.process.minCustomers, config.process.alpha);
  if (!hit) return;
  const problemId = newId();
  const members = counts.members(ks);
  out.push({
    type: 'raise',
    problemId,
    kind: 'process',
    topic: null,
    area: null,
    areaKey: null,
    keys: [ks.key],
    terms: [],
    teamId: s.teamId,
    at: s.at,
    firstAt: members[0]?.at ?? s.at,
    confirmed: false,
    baseline: hit,
    tightness: null,
  });
  book.adopt(problemId, 'process', null, null, [ks.key], s.at);
  for (const m of members)
    if (!book.heldElsewhere(m.caseId, problemId))
      out.push(book.linkEntry(problemId, m, 'detected'));
}
