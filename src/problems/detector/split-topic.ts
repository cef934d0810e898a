/**
 * A second trouble inside a young problem's place. A problem that holds its place's every-topic
 * key takes a complaint of any topic there while that topic's count is mostly excess (`link.ts`),
 * so a trouble of another topic that begins in the same place an hour later goes into it,
 * complaint by complaint, and its own key never stands out: a raise needs complainers no problem
 * holds (QA replay: a Fresno double billing an hour into a Fresno network problem). Here, at most
 * once a minute of event time, each topic of another group that the problem took in its place
 * after it was raised is tested as if the problem had not taken it; one that stands out on its
 * own (the raise rule's test, counting the complainers the problem took) and outgrew half the
 * problem's own excess there becomes a problem of its own, taking back those complainers and the
 * words they brought.
 *
 * Not a second trouble: a topic the trouble's complaints were filed under from its start (triage
 * spreads a local trouble over unrelated topics too: such a topic had complainers in the place in
 * the hour before the raise), and a related topic (triage's confusion, `outgrown`).
 */
import { newId } from '../../platform/ids.js';
import { areaAtLevel, areaChain, chainOfKey } from './areas.js';
import type { DetectorParts } from './book.js';
import { ANY_TOPIC } from './counts.js';
import { related } from './link.js';
import { inRaise, OTHER } from './same-trouble.js';
import type { Decision, ProblemView } from './types.js';
import type { Entry } from './window.js';

/** Its share of the complainers the problem took in its place since its raise … */
const SURGE_SHARE = 0.3;
/** … where those of neither its group nor that topic are at most this share. */
const MIXED_SHARE = 0.15;
/** Its excess against the problem's own topic's there. */
const OUTGROWN_SHARE = 0.5;

export function splitTopic(parts: DetectorParts, p: ProblemView, at: number, out: Decision[]) {
  const { config, counts, book } = parts;
  if (p.kind !== 'area' || p.human || !p.topic || !p.areaKey) return;
  if (p.status !== 'suspected' && p.status !== 'confirmed') return;
  if (counts.now - p.detectedAt > config.mergeWindowMs) return;
  if (!p.keys.includes(`${ANY_TOPIC}@${p.areaKey}`)) return;
  if (!book.splitCheckDue(p.id)) return;
  const every = counts.keys.get(`${ANY_TOPIC}@${p.areaKey}`);
  if (!every) return;
  // The complainers it took there since it was raised, by topic: its own topic's group, and
  // the others.
  const taken = new Map<string, number>();
  let all = 0;
  let ownGroup = 0;
  for (const m of counts.members(every)) {
    if (m.problemId !== p.id || m.at <= p.detectedAt || !m.topic) continue;
    all++;
    if (related(config, p.topic, m.topic) || m.topic === OTHER) ownGroup++;
    else taken.set(m.topic, (taken.get(m.topic) ?? 0) + 1);
  }
  const own = counts.excess(`${p.topic}@${p.areaKey}`).excess;
  for (const [topic, n] of taken) {
    // A trouble of one kind with a surge of one other topic: a place's trouble that triage
    // spread over many topics (one of no known kind, a store closing) takes several groups'
    // complaints from the start, none of them a large share.
    if (n < SURGE_SHARE * all || all - ownGroup - n > MIXED_SHARE * all) continue;
    const key = `${topic}@${p.areaKey}`;
    const ks = counts.keys.get(key);
    if (!ks) continue;
    const members = counts.members(ks);
    const mine = members.filter((m) => m.problemId === p.id && m.at > p.detectedAt);
    if (inRaise(counts, ks, p)) continue;
    const excess = counts.excess(key).excess;
    if (excess < config.minCustomers / 2 || excess <= OUTGROWN_SHARE * own) continue;
    // The raise rule's test, counting the complainers the problem took (and any other's).
    const hit = counts.significant(ks, config.minCustomers, config.alpha, true);
    if (!hit) continue;
    raiseSecond(
      parts,
      p,
      topic,
      key,
      [...mine, ...members.filter((m) => !m.problemId)],
      hit,
      at,
      out,
    );
    return;
  }
}

function raiseSecond(
  parts: DetectorParts,
  p: ProblemView,
  topic: string,
  key: string,
  members: Entry[],
  baseline: NonNullable<ReturnType<DetectorParts['counts']['significant']>>,
  at: number,
  out: Decision[],
) {
  const { book } = parts;
  const placed = members.find((m) => m.area && areaChain(m.area).includes(p.areaKey!));
  const area = placed ? areaAtLevel(placed.area, p.areaKey!) : null;
  const problemId = newId();
  out.push({
    type: 'raise',
    problemId,
    kind: 'area',
    topic,
    area,
    areaKey: p.areaKey,
    keys: [key],
    terms: [],
    teamId: null,
    at,
    firstAt: members.reduce((t, m) => Math.min(t, m.at), at),
    confirmed: false,
    baseline,
    tightness: null,
  });
  const chain = placed ? chainOfKey(p.areaKey!, placed.area) : p.chain;
  book.adopt(problemId, 'area', topic, p.areaKey, [key], at, false, chain);
  for (const m of members) out.push(book.linkEntry(problemId, m, 'detected'));
  // One owner per key: the topic's own key there, if the problem took it over (`own` of its
  // holder), is the new problem's now.
  const give = (k: string) => {
    out.push({ type: 'own', problemId, at, key: k, from: p.id });
    p.keys = p.keys.filter((x) => x !== k);
    book.ownedBy.set(k, problemId);
  };
  if (p.keys.includes(key)) give(key);
  // And the words the problem holds through these complainers (a billing trouble's "double"):
  // mostly its complainers use them.
  for (const k of [...p.keys]) {
    if (!k.startsWith('w:')) continue;
    const ks = parts.counts.keys.get(k);
    if (!ks) continue;
    let mine = 0;
    let theirs = 0;
    for (const m of parts.counts.members(ks)) {
      if (m.problemId === problemId) theirs++;
      else if (m.problemId === p.id) mine++;
    }
    if (theirs <= mine) continue;
    give(k);
    book.problems.get(problemId)!.keys.push(k);
  }
}
