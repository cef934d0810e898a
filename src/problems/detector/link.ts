import { ALL } from './areas.js';
import type { DetectorParts } from './book.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC, type Counts } from './counts.js';
import { excessElsewhere } from './elsewhere.js';
import { excessSince } from './onset-share.js';
import { coarser, placeQuiet } from './place-quiet.js';
import { matchSpill } from './spill.js';
import { similarity } from './text.js';
import type { ProblemView } from './types.js';
import { withOdds, wordOdds } from './word-odds.js';

/** The topic group a topic belongs to (`g:<index>`), or null. */
export function groupOf(config: Pick<DetectorConfig, 'topicGroups'>, topic: string): string | null {
  const i = config.topicGroups.findIndex((g) => g.includes(topic));
  return i < 0 ? null : `g:${i}`;
}

/**
 * A problem of a place that complaints can join on arrival: detected by its place, or made by a
 * person with a place (`POST /api/v1/problems` with an area).
 */
export function placed(p: ProblemView): p is ProblemView & { areaKey: string } {
  return (p.kind === 'area' || p.kind === 'manual') && !!p.areaKey;
}

/** Same topic, or topics of one group (a group key is related to its members). */
export function related(
  config: Pick<DetectorConfig, 'topicGroups'>,
  a: string,
  b: string,
): boolean {
  if (a === b || a === ANY_TOPIC || b === ANY_TOPIC) return true;
  const ga = a.startsWith('g:') ? a : groupOf(config, a);
  const gb = b.startsWith('g:') ? b : groupOf(config, b);
  return ga !== null && ga === gb;
}

/**
 * The problem a new complaint belongs to, if any. A complaint on a linked case follows its
 * case. Otherwise each live area problem whose place and topic fit is a candidate, and the
 * complaint joins the best one only when it more likely belongs to it than to the usual
 * background: the share of the matching key's recent complainers that is excess over its
 * baseline (split between problems competing for the same key) must reach `linkPosterior`.
 * Inside the problem's area that key is the problem's own; for a complaint naming a coarser
 * place or none, it is the complaint's topic at that coarser level (so a country-wide flood
 * of background complaints of one topic never drifts into a local problem). Last, a complaint
 * of a related topic may be a live country-wide problem's, filed under the wrong topic
 * (`matchSpill`).
 */
export function matchOnArrival(
  parts: DetectorParts,
  caseId: string | null,
  topic: string,
  chain: string[],
  termKeys: string[],
  insideOnly = false,
): string | null {
  const { config, counts, book } = parts;
  if (caseId) {
    const viaCase = book.active(book.caseProblem.get(caseId));
    if (viaCase) return viaCase.id;
  }
  const group = groupOf(config, topic);
  const cands: { id: string; key: string; weight: number; coarse: boolean }[] = [];
  for (const p of book.problems.values()) {
    if (!placed(p) || !book.drawing(p)) continue;
    let key: string | null = null;
    let coarse = false;
    if (chain.includes(p.areaKey) && !besideShown(p, chain)) {
      const exact = `${topic}@${p.areaKey}`;
      const grp = group ? `${group}@${p.areaKey}` : null;
      // The complaint's own topic is evidence: a problem that counts any topic of its place
      // still takes a complaint only when that topic's count there is mostly excess.
      if (p.keys.includes(exact) || p.topic === topic) key = exact;
      // A related topic whose own excess there outgrew the problem's is another trouble.
      else if (outgrown(config, counts, p, topic, p.areaKey)) key = null;
      // A problem of that very topic in the same place (a second trouble there: `splitTopic`)
      // is where it belongs, not a problem holding the place's other topics.
      else if (topicHeldAt(parts, p, topic)) key = null;
      else if (grp && p.keys.includes(grp)) key = grp;
      else if (p.keys.includes(`${ANY_TOPIC}@${p.areaKey}`)) key = exact;
    } else if (
      !insideOnly &&
      p.topic === topic &&
      p.chain.includes(chain[0]) &&
      !placeQuiet(config, counts, p)
    ) {
      key = `${topic}@${chain[0]}`;
      coarse = true;
    }
    if (!key) continue;
    // Its weight: the greatest excess of its keys. Claiming a coarse key, only its own place's
    // keys count, over the coarse window: a coarser key it took over (its complaints dominated
    // the country's count for a while) would otherwise vouch for every complaint of that key,
    // and problems competing for it would share it by the key's whole excess (a Florida
    // outage's problem holding the country's key took a later San Diego outage's complaints).
    let weight = 0;
    for (const k of p.keys) {
      if (coarse && coarser(p, k)) continue;
      const window = coarse ? config.coarseLinkWindow : config.linkWindow;
      weight = Math.max(weight, counts.excess(k, window).excess);
    }
    cands.push({ id: p.id, key, weight, coarse });
  }
  let best: string | null = null;
  let bestPost = 0;
  for (const c of cands) {
    let total = 0;
    for (const o of cands) if (o.key === c.key) total += o.weight;
    // (A complaint naming no place is judged over `coarseLinkWindow`: a local trouble's
    // complaints come close together, the background of a whole country's key all day.)
    // A young problem's own place since its trouble began (`excessSince`).
    const onset = c.coarse ? undefined : book.onsetAt.get(c.id);
    const { share, excess } =
      onset !== undefined
        ? excessSince(counts, config, c.key, onset)
        : counts.excess(c.key, c.coarse ? config.coarseLinkWindow : config.linkWindow);
    const problem = book.problems.get(c.id);
    let post = total > 0 ? (share * c.weight) / total : 0;
    // A local trouble is judged by the key's last hour too: the link window (4 hours) stays
    // full of a finished burst, and went on linking its place's everyday complaints (and the
    // country's placeless ones) to it, which kept it looking alive. (Not a country-wide one:
    // its trouble moving on to another city, hours later, is still its own.)
    if (config.recentLinkWindow !== null && post >= config.linkPosterior) {
      if (problem!.areaKey !== ALL)
        post = Math.min(post, counts.excess(c.key, config.recentLinkWindow).share);
    }
    // At a coarser level the key's excess may be another trouble's (a country-wide flood of
    // one topic): the problem takes the complaint only in proportion to the part of that
    // excess its own place explains (about `placedShare` of a local trouble's complaints name
    // their place, so its local excess stands for 1 / placedShare of its whole).
    if (c.coarse && excess > 0) post *= Math.min(1, c.weight / (config.placedShare * excess));
    // Its words may say it is not the trouble's: words the problem's complainers rarely use.
    // Read where a trouble takes its topic's background: complaints naming no place for a local
    // problem, every one for a country-wide problem, and those of another topic than the
    // problem's (an outage's city takes its ordinary device complaints while triage files some of
    // the outage under device). (Also for its own topic inside its place, real tweets told as
    // incident complaints were turned away: simulator's real-text incidents F1 0.875 → 0.865.)
    if (c.coarse || problem?.areaKey === ALL || (problem?.topic && problem.topic !== topic)) {
      post = withOdds(post, wordOdds(parts, c.id, termKeys));
    }
    // And only in proportion to its share of the placed excess: a trouble of the topic in
    // another place brings its own complaints naming no place (`excessElsewhere`).
    if (c.coarse && post >= config.linkPosterior) {
      const other = excessElsewhere(config, counts, problem!, c.key, config.coarseLinkWindow);
      post *= c.weight / Math.max(1e-9, c.weight + other);
    }
    if (post > bestPost) {
      bestPost = post;
      best = c.id;
    }
  }
  if (best && bestPost >= config.linkPosterior) return best;
  if (insideOnly) return null;
  // A word a problem owns (its text cluster's) links a complaint using it while that word's
  // recent count is still mostly excess (a common word returns to its background). A problem
  // detected by its place takes it only if it names no place or one of the problem's: a word
  // count is country-wide, and a Florida outage's problem owning "internet" took Philadelphia's
  // and Albuquerque's outage complaints, place named and all. (A text cluster's place is only
  // where its complaints so far came from: it takes the word's users wherever they are.)
  for (const k of termKeys) {
    const p = book.claiming(book.ownedBy.get(k));
    if (!p || (placed(p) && !placeFits(p, chain))) continue;
    if (counts.excess(k).share < config.linkPosterior) continue;
    // A local problem's word too, over its last hour (see above); and a text cluster's, which
    // is its words' burst and nothing else: once that burst is over, the word's users are its
    // everyday ones again, though its 4-hour window still holds the burst.
    const wordOnly = p.kind === 'text';
    if ((wordOnly || (placed(p) && p.areaKey !== ALL)) && config.recentLinkWindow !== null)
      if (counts.excess(k, config.recentLinkWindow).share < config.linkPosterior) continue;
    return p.id;
  }
  // Last, a related topic's share of a country-wide trouble (triage's confusion).
  return matchSpill({ config, counts, book }, topic, chain, termKeys);
}

/**
 * A live problem of exactly this topic is counted in `p`'s place, raised while `p` was young (a
 * second trouble there, `splitTopic`). One raised later beside an old problem is as often that
 * problem's own trouble under another topic, found again: it does not take the topic from it.
 */
function topicHeldAt(
  { config, book }: DetectorParts,
  p: ProblemView & { areaKey: string },
  topic: string,
): boolean {
  for (const q of book.problems.values()) {
    if (q.topic !== topic || q.areaKey !== p.areaKey || q.kind !== 'area') continue;
    const after = q.detectedAt - p.detectedAt;
    if (after > 0 && after <= config.mergeWindowMs && book.drawing(q)) return true;
  }
  return false;
}

/**
 * Whether a topic's excess in a place is more than triage's confusion around a problem of another
 * topic there: confusion files a share of the trouble's complaints under the wrong topic, so it
 * stays below the excess of the problem's own topic in that place. Once the problem is past
 * `mergeWindowMs`, an excess of the other topic that outgrows it (`confusionRatio` times, and at
 * least half `minCustomers`) is a trouble of its own: a city's support-line failure hours into a
 * state's device problem went into that problem through its topic group, complaint by complaint,
 * and was never raised.
 */
export function outgrown(
  config: DetectorConfig,
  counts: Counts,
  p: Pick<ProblemView, 'topic' | 'detectedAt'>,
  topic: string,
  areaKey: string,
): boolean {
  if (config.confusionRatio <= 0 || !p.topic || p.topic === topic) return false;
  // A young problem's complainers are still settling which topic they name (`settledTopic`).
  if (counts.now - p.detectedAt <= config.mergeWindowMs) return false;
  const other = counts.excess(`${topic}@${areaKey}`).excess;
  // (Half the customers a raise needs: an excess is observed minus expected, so a trouble's
  // first significant count shows a smaller one.)
  if (other < config.minCustomers / 2) return false;
  return other > config.confusionRatio * counts.excess(`${p.topic}@${areaKey}`).excess;
}

/**
 * Words in excess whose recent users are mostly one live problem's customers (a trouble's own
 * words, "webmail", "voicemail", whatever topic triage gave them) link a complaint that names no
 * place and uses three of them to that problem (one or two shared words are too often the
 * everyday vocabulary of another complaint). Weak evidence: such a link does not keep the
 * problem live (its last event time stays), or a problem could keep itself alive by its words.
 */
export function matchByWords(parts: DetectorParts, chain: string[], termKeys: string[]) {
  if (chain.length !== 1) return null;
  return wordVote(parts, termKeys, () => true);
}

/**
 * A message triage did not call a complaint ("is your email server down?", "people say my
 * mails bounce") still belongs to a live trouble when it uses three of that trouble's own words
 * (as in `matchByWords`), and names no place or one inside the problem's; or when its topic
 * would link a complaint of its place there (`matchOnArrival`): naming a place, inside the
 * problem's place only; naming none, through its topic's country-wide key, as a complaint naming
 * none would. It is linked (its customer is affected and is told of the fix) but never counted:
 * only complaints are evidence.
 */
export function matchUnflagged(
  parts: DetectorParts,
  topic: string,
  chain: string[],
  termKeys: string[],
) {
  const byWords = wordVote(
    parts,
    termKeys,
    (p) =>
      chain.length === 1 || !p.areaKey || (chain.includes(p.areaKey) && !besideShown(p, chain)),
  );
  if (byWords) return byWords;
  // Naming no place, it joins through its topic's country-wide key as a complaint naming none
  // would ("whole street lost internet", "home internet is out": not complaints to triage).
  if (chain.length === 1) return matchOnArrival(parts, null, topic, chain, termKeys);
  // Naming a place inside a live problem's, of a topic its place is mostly in excess of, it is
  // that trouble's as a complaint there would be ("whole street lost internet in Tampa FL",
  // complaint score 0.31, during a Florida outage): by its topic and place alone, never through
  // a wider place's key.
  return matchOnArrival(parts, null, topic, chain, termKeys, true);
}

function wordVote(
  { config, counts, book }: DetectorParts,
  termKeys: string[],
  fits: (p: ProblemView) => boolean,
): string | null {
  const votes = new Map<string, number>();
  for (const k of termKeys) {
    if (counts.excess(k).share < config.linkPosterior) continue;
    const ks = counts.keys.get(k);
    const p = ks ? book.holder(ks) : undefined;
    if (!p || p.kind === 'process' || !fits(p)) continue;
    const v = (votes.get(p.id) ?? 0) + 1;
    if (v >= 3) return p.id;
    votes.set(p.id, v);
  }
  return null;
}

/**
 * Whether a complaint of this place chain may be the trouble of a problem of that place: it
 * names no place, or one inside the problem's, or one around it (a state, for a city's problem).
 */
export function placeFits(
  p: Pick<ProblemView, 'areaKey' | 'chain' | 'shownKey'>,
  chain: string[],
): boolean {
  if (chain.length === 1 || !p.areaKey || p.areaKey === ALL) return true;
  if (besideShown(p, chain)) return false;
  return chain.includes(p.areaKey) || p.chain.includes(chain[0]);
}

/**
 * Whether a place is another city of the region a problem is counted in, beside the city its
 * complainers settled on (settle-place.ts). Such a problem goes on counting where it was raised,
 * so its later complaints naming only the state still find it; but a neighbouring city's
 * complaints are that city's: San Francisco's outage, raised on California's key, took
 * Oakland's network trouble beside it complaint by complaint, and Oakland never stood out.
 * (Not a postal code beside one a city's problem settled on: few name theirs, and a trouble's
 * neighbouring codes are as often its own.)
 */
export function besideShown(
  p: Pick<ProblemView, 'areaKey' | 'shownKey'>,
  chain: readonly string[],
): boolean {
  const shown = p.shownKey;
  if (!shown || !p.areaKey || shown === p.areaKey) return false;
  if (!shown.startsWith('t:') || !p.areaKey.startsWith('r:')) return false;
  return chain[0] !== p.areaKey && chain.includes(p.areaKey) && !chain.includes(shown);
}

/**
 * A complaint no area problem took, of another topic than a live country-wide problem's, joins
 * that problem when it reads like its recent complaints (MinHash similarity to the closest of
 * them reaches `kinLink.similarity`) while its own topic is in excess country-wide too (share
 * of excess ≥ `kinLink.topicShare`): triage filed the same trouble under another topic ("the
 * installer never came" as network, service, other). A country-wide problem counts only its own
 * topic's key at that level, so without this such complaints stay unlinked and uninformed.
 */
export function matchByKinship(
  { config, counts, book }: DetectorParts,
  topic: string,
  sig: Uint32Array | null,
): string | null {
  const { similarity: min, topicShare } = config.kinLink;
  if (min <= 0 || !sig) return null;
  // Most complaints arrive while no country-wide problem is live: nothing to compute then.
  const live = [...book.problems.values()].filter(
    (p) => p.kind === 'area' && p.areaKey === ALL && p.topic !== topic && book.drawing(p),
  );
  if (live.length === 0 || counts.excess(`${topic}@${ALL}`).share < topicShare) return null;
  let best: string | null = null;
  let bestSim = min;
  for (const p of live) {
    let top = 0;
    for (const y of book.signatures(p)) top = Math.max(top, similarity(sig, y));
    if (top >= bestSim) {
      bestSim = top;
      best = p.id;
    }
  }
  return best;
}
