/**
 * Whether a new excess is a trouble the detector already knows: the same root cause found another
 * way (another level, a confused topic, its words), a neighbouring place of the same trouble, or a
 * third state of a country-wide one. Used by the raise rules (raise.ts) before they open a problem.
 */
import type { Area } from '../../triage/index.js';
import { ALL, areaChain, chainOfKey } from './areas.js';
import type { DetectorParts } from './book.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC, type Counts, GLOBAL } from './counts.js';
import { busiestCity, gathersIn, placedCustomers, showsIn } from './gather.js';
import { besideShown, related } from './link.js';
import { placeQuiet } from './place-quiet.js';
import { binomialTail, mode } from './stats.js';
import { kinship } from './text.js';
import { burstInPlace } from './text-place.js';
import type { ProblemView } from './types.js';
import type { Entry, KeyState } from './window.js';

/** Triage's topic for what it cannot name. */
export const OTHER = 'other';

/**
 * Whether a key's complainers came in the hour before the problem was raised (more than one and
 * than twice the key's usual hour): that topic was part of the trouble from its start, however
 * its words read (triage spreads a trouble of no known kind over unrelated topics). A second
 * trouble's complaints come only after the first was found.
 */
export function inRaise(counts: Counts, ks: KeyState, p: Pick<ProblemView, 'detectedAt'>) {
  // (Against the key's usual hour: a big city's hour holds a few of any topic anyway.)
  const usual = 1 + 2 * counts.expected(ks, RAISE_HOUR_MS);
  let n = 0;
  for (const m of counts.members(ks))
    if (m.at <= p.detectedAt && m.at > p.detectedAt - RAISE_HOUR_MS && ++n > usual) return true;
  return false;
}

const RAISE_HOUR_MS = 60 * 60_000;

/**
 * A live problem this excess is most likely the same trouble as: one that began within
 * `mergeWindowMs` in a compatible place — nested areas, or both without one (a country-wide
 * problem counts as without). Two independent rare excesses seldom start together in one place,
 * so a second detection then is the same root cause found another way (other words of one
 * trouble, its place through confused topics): it joins that problem instead of opening one.
 */
export function sameTrouble(
  { config, counts, book }: DetectorParts,
  chain: string[] | null,
  topic: string | null,
  excess?: KeyState,
): ProblemView | null {
  let best: ProblemView | null = null;
  for (const p of book.problems.values()) {
    if (p.kind === 'process' || p.status === 'closed' || p.status === 'fixed') continue;
    if (book.episodeOver(p)) continue;
    // Its last complaint was recent: the trouble's tail (or its return) is still its own.
    const recent = counts.now - p.lastEventAt <= config.liveQuietMs;
    if (!book.drawing(p) && !recent) continue;
    const placed = !!p.areaKey && p.areaKey !== ALL;
    const young = counts.now - p.detectedAt <= config.mergeWindowMs;
    if (chain && placed) {
      // In one place: while young whatever the topic (triage confuses them); later when the
      // topics are related and its own trouble goes on (its key still mostly excess) or its
      // last complaint was recent.
      if (!(chain.includes(p.areaKey!) || p.chain.includes(chain[0]))) continue;
      // Not another city of its region beside the one its complainers settled on.
      if (besideShown(p, chain)) continue;
      // A later excess of a topic concentrated in a smaller place inside it began on its own (a
      // wider trouble's tail does not gather in one of its cities). Not so a word burst (no
      // topic): its place is where most of its few placed members are, and a region's
      // complainers mostly live in its big city; new words of a live trouble are its own.
      if (!young && topic !== null && chain[0] !== p.areaKey && chain.includes(p.areaKey!))
        continue;
      if (!young && topic && p.topic && !related(config, p.topic, topic)) continue;
      // Nor a later word burst filed mostly (two thirds) under topics unrelated to the
      // problem's: a trouble that began in or around its place since (a Texas double billing's
      // "charged twice", 81 % filed as billing, eight hours into a Dallas network problem whose
      // stragglers kept it live, took that problem and its title; outside-style set, draw b).
      if (
        !young &&
        !topic &&
        excess &&
        burstOfOtherTopic(config, counts, excess, p, BURST_TOPIC_SHARE)
      )
        continue;
      // Nor a related topic standing out where the problem's own topic has no excess left: its
      // trouble there is over, and this is another (a Portland ZIP's outage 13 hours into a
      // Portland network problem whose stragglers kept it live).
      if (!young && topic && p.topic && ownTopicOver(config, counts, p, topic)) continue;
      if (!young && !recent && counts.excess(p.keys[0]).share < config.linkPosterior) continue;
      // Young, a topic of another group is the same trouble under a confused topic only if it
      // reads like the problem's complaints: a Fresno double billing an hour into a Fresno
      // network problem is another trouble (QA replay), a local trouble triage spread over
      // unrelated topics is not. (`other` is triage not knowing: no topic to tell apart.)
      if (
        young &&
        topic &&
        excess &&
        p.topic &&
        !topic.startsWith('g:') &&
        topic !== ANY_TOPIC &&
        topic !== OTHER &&
        !related(config, p.topic, topic) &&
        !inRaise(counts, excess, p) &&
        !readsAlike(config, counts, excess, p)
      )
        continue;
    } else {
      if (!young || !book.drawing(p)) continue;
      // A country-wide problem and a local excess of another topic: the same trouble only where
      // the problem's own complainers gather (its place showing under a confused topic), not a
      // second trouble beside it (a Miami outage during a country-wide slowdown of data).
      if (topic && p.topic && topic !== p.topic && excess && localBeside(counts, p, chain, excess))
        continue;
      // An excess without a place is not a local problem's once its place went quiet: that
      // trouble's complaints naming no place come with those naming it (`placeQuiet`).
      if (placed && placeQuiet(config, counts, p)) continue;
      // An excess of an unrelated topic while a young problem goes on: the same trouble under
      // a confused topic reads like the problem's complaints; a coincidence (shipments late
      // everywhere while Denver's phones fail, a Miami billing error during a country-wide
      // delivery delay) does not.
      const named = excess && topic ? namedTopic(counts.members(excess), topic) : null;
      // (A text cluster names no topic: any topic's excess must read like it. A word burst
      // names none either: joining a local problem of a topic, it is that trouble only if it
      // reads like it. Else an eSIM error written by customers naming no place joined an
      // Austin outage being fixed, and they were told of the outage's fix. A burst beside a
      // text cluster or a country-wide problem is most often that trouble's other words, and
      // requiring it to read alike there split 9 incidents of seeds 1–6 in two, TUNING.md; not
      // one filed almost all under topics unrelated to a country-wide problem's.)
      const unrelated = topic
        ? named && (!p.topic || !related(config, p.topic, named))
        : placed
          ? !!p.topic && !(excess && burstOfTopic(config, counts, excess, p))
          : !!excess && burstOfOtherTopic(config, counts, excess, p) && !inRaise(counts, excess, p);
      // Nor, for a text cluster of a place (or showing one), a word burst whose complainers
      // naming a place are mostly elsewhere (as `clusterOfWord`): a login cluster showing
      // Sacramento, 2 h 44 min old, took a voicemail-in-Portuguese burst from Austin, Boston and
      // Dallas (outside set, mid-2).
      const away =
        !topic && p.kind === 'text' && !!excess && !burstInPlace(counts, excess, p, true);
      // Nor, for a problem a person made naming neither topic nor place, a burst not reading like
      // its complaints: that is all it says of its trouble (QA: a burst of "keep" an hour after
      // one was made from an unrelated case was taken by it, not raised). Such a problem has no
      // keys, so none of its complaints are in the windows `readsAlike` reads: no burst joins it
      // by itself; people link its cases, or merge the text problem raised beside it.
      const unnamed = p.kind === 'manual' && !p.topic && !placed;
      if ((unrelated || away || unnamed) && (!excess || !readsAlike(config, counts, excess, p)))
        continue;
    }
    if (!best || p.detectedAt < best.detectedAt) best = p;
  }
  return best;
}

/**
 * A young text cluster of a neighbouring place (another city of the same region): a new kind of
 * trouble found by its words in two of a region's cities at once is one trouble of the region, as
 * for area problems of one topic. Returns the problem and the places' common area.
 */
export function neighbourCluster(
  { config, counts, book }: DetectorParts,
  areaKey: string,
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'>,
): { p: ProblemView; common: string } | null {
  const chain = chainOfKey(areaKey, area);
  for (const p of book.problems.values()) {
    if (p.kind !== 'text' || !p.areaKey || p.areaKey === ALL || !book.drawing(p)) continue;
    if (p.status === 'fixed') continue;
    if (counts.now - p.detectedAt > config.mergeWindowMs) continue;
    const common = p.chain.find((k) => chain.includes(k));
    if (common && common !== ALL) return { p, common };
  }
  return null;
}

/**
 * Another young problem of `p`'s topic in a third place, apart from both `p`'s and this
 * detection's: three states whose excesses of one topic began within the merge window are one
 * country-wide trouble (a slow one, whose country-wide count stays within the noise of its
 * topic group for hours), not three coincidences.
 */
export function thirdPlace(
  { config, counts, book }: DetectorParts,
  p: ProblemView,
  chain: string[],
) {
  for (const q of book.problems.values()) {
    if (q === p || q.kind !== 'area' || q.topic !== p.topic || !q.areaKey) continue;
    if (q.areaKey === ALL || !book.drawing(q) || q.status === 'fixed') continue;
    if (counts.now - q.detectedAt > config.mergeWindowMs) continue;
    const apart = (c: string[]) => c.find((k) => q.chain.includes(k)) === ALL;
    if (apart(p.chain) && apart(chain)) return true;
  }
  return false;
}

/** A key's topic, or for a group or every-topic key the topic most of its complaints have. */
export function namedTopic(members: Entry[], keyTopic: string): string | null {
  return keyTopic === ANY_TOPIC || keyTopic.startsWith('g:') ? majorityTopic(members) : keyTopic;
}

function majorityTopic(members: Entry[]): string | null {
  return mode(members.map((m) => m.topic)).value;
}

/**
 * A word burst that is a young local problem's trouble in other words (`burstByTopic`): triage
 * filed at least `BURST_TOPIC_SHARE` of its unexplained complaints under one topic, the
 * problem's own or one of its mix (`BURST_MIX_SHARE`; a merely related topic is not enough: the
 * outage group holds device and service, and an eSIM error burst beside an outage is filed as
 * device), and its complainers naming a place name the problem's: most of them, or far more
 * than that place's share of the customers (a country-wide trouble of the topic names places
 * everywhere). A Texas outage's customers naming no place wrote "whole street lost internet";
 * the burst (`w:street`) read like none of the outage's complaints and became a second problem
 * of 242 of its cases (outside-style desk high-steady).
 */
function burstOfTopic(config: DetectorConfig, counts: Counts, ks: KeyState, p: ProblemView) {
  if (!config.burstByTopic || !p.topic || !p.areaKey) return false;
  const topics: string[] = [];
  let inside = 0;
  let outside = 0;
  for (const m of counts.members(ks)) {
    // Where: all its complainers naming a place (those the problem took are the burst's too).
    if (m.area) {
      if (areaChain(m.area).includes(p.areaKey)) inside++;
      else outside++;
    }
    // What: those no problem explains yet.
    if (!m.problemId && m.topic) topics.push(m.topic);
  }
  const { value: topic, count } = mode(topics);
  if (!topic) return false;
  const ofMix =
    count >= BURST_TOPIC_SHARE * topics.length &&
    (topic === p.topic || problemTopicShare(counts, p, topic) >= BURST_MIX_SHARE);
  // Topics related to the problem's, even absent from its mix, when the burst came with the
  // raise and a few of its complainers name the problem's place: a Florida outage's customers
  // wrote "modem keeps saying no sync", filed as device and outage, and their burst five minutes
  // after the raise became a second problem of 268 of its cases (outside-style desk
  // high-swing). An eSIM error burst beside an outage comes later, or from elsewhere.
  const withRaise =
    inside >= BURST_WITH_RAISE_PLACED &&
    counts.now - p.detectedAt <= BURST_WITH_RAISE_MS &&
    topics.filter((t) => related(config, p.topic!, t)).length >= BURST_TOPIC_SHARE * topics.length;
  if (!ofMix && !withRaise) return false;
  // Its complainers naming a place are the problem's place's: most of them, or far more than
  // that place's share of the customers (a common word's burst holds the whole country's
  // everyday complaints using it too: "internet" beside a Texas outage).
  if (outside <= inside) return true;
  const share = counts.shareOfPlaced(p.areaKey);
  return binomialTail(inside, inside + outside, share) <= BURST_PLACE_ALPHA;
}

/**
 * The share of a problem's complaints still in its keys' windows filed under `topic` (one held
 * by two of its keys counts twice: a rough share is all `BURST_MIX_SHARE` asks).
 */
function problemTopicShare(counts: Counts, p: ProblemView, topic: string): number {
  const ms = problemMembers(counts, p);
  return ms.length === 0 ? 0 : ms.filter((m) => m.topic === topic).length / ms.length;
}

/**
 * The problem's own topic shows under half `minCustomers` of excess in its place (over the link
 * window), asked of an excess of another named topic there.
 */
function ownTopicOver(config: DetectorConfig, counts: Counts, p: ProblemView, topic: string) {
  if (topic === p.topic || topic === ANY_TOPIC || topic.startsWith('g:')) return false;
  return counts.excess(`${p.topic}@${p.areaKey}`).excess < config.minCustomers / 2;
}

/**
 * A word burst beside a country-wide problem of a named topic whose complaints (unexplained, or
 * the problem's) are filed almost all (`share`: `BURST_OTHER_SHARE`; two thirds for a burst later
 * than `mergeWindowMs` beside a local problem) under topics unrelated to the problem's: another
 * trouble that began meanwhile (for a young problem, when none came in the hour before the raise,
 * `inRaise`). Simulator seed 10: "picture messages fail, plain texts work fine", filed as network,
 * outage and service, joined a country-wide double billing twenty minutes old through its words
 * and was never raised. A burst of the problem's topics, or of topics related to it, stays that
 * problem's other words, as most are.
 */
function burstOfOtherTopic(
  config: DetectorConfig,
  counts: Counts,
  ks: KeyState,
  p: ProblemView,
  share = BURST_OTHER_SHARE,
) {
  if (!p.topic) return false;
  let filed = 0;
  let other = 0;
  // Its complainers the problem took count too: a word of the trouble's own ("failing" of a
  // country-wide login failure) holds its linked complaints, while the few left unexplained are
  // those filed under the topics it does not take.
  for (const m of counts.members(ks)) {
    // (`other` is triage not knowing: "login keeps failing on the website" is filed there.)
    if ((m.problemId && m.problemId !== p.id) || !m.topic || m.topic === OTHER) continue;
    filed++;
    if (!related(config, p.topic, m.topic)) other++;
  }
  return filed > 0 && other >= share * filed;
}

/** Share of a burst's complaints filed under topics unrelated to a problem's. */
const BURST_OTHER_SHARE = 0.9;

const BURST_TOPIC_SHARE = 2 / 3;
/** How soon after a problem's raise a burst of a related topic is taken to have come with it. */
const BURST_WITH_RAISE_MS = 15 * 60_000;
/** Its complainers naming the problem's place that such a burst needs. */
const BURST_WITH_RAISE_PLACED = 3;
const BURST_PLACE_ALPHA = 1e-3;
/**
 * A topic a tenth of a problem's complaints are filed under is one of its own: triage spreads a
 * trouble over a few topics (Jacksonville's problem titled outage held 19 % network), and an
 * unrelated burst's topic is all but absent from it (an eSIM error burst beside an outage).
 */
const BURST_MIX_SHARE = 0.1;

function readsAlike(config: DetectorConfig, counts: Counts, ks: KeyState, p: ProblemView) {
  return kinship(unexplainedSigs(counts, ks), problemSigs(counts, p)) >= config.minKinship;
}

/** MinHash signatures of a problem's complaints still in its keys' windows. */
function problemSigs(counts: Counts, p: ProblemView): Uint32Array[] {
  return problemMembers(counts, p).flatMap((m) => (m.sig ? [m.sig] : []));
}

/** A problem's complaints still in its keys' windows, once per key holding them. */
function problemMembers(counts: Counts, p: ProblemView): Entry[] {
  const out: Entry[] = [];
  for (const k of p.keys) {
    const ks = counts.keys.get(k);
    if (!ks) continue;
    for (const m of counts.members(ks)) if (m.problemId === p.id) out.push(m);
  }
  return out;
}

/** Signatures of a key's recent complaints that no problem explains yet. */
function unexplainedSigs(counts: Counts, ks: KeyState): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (const m of counts.members(ks)) if (!m.problemId && m.sig) out.push(m.sig);
  return out;
}

/**
 * Where a young country-wide problem really is: the narrowest place along `area`'s chain that
 * holds `HOME_SHARE` of its placed complainers (in the every-complaint key's longest window),
 * far more than its usual share of the customers explains (a binomial tail below
 * `HOME_ALPHA`), or null. A trouble whose first complaints name no place (a support line
 * failing) is raised country-wide; when its place shows, the problem takes it, so a later
 * trouble of its topic elsewhere is not taken for its own. A country-wide trouble spreads over
 * its customers' places, even where most customers live in one state: it moves nowhere.
 */
export function homePlace(
  { config, counts }: DetectorParts,
  p: ProblemView,
  area: Area | null,
): string | null {
  if (p.kind !== 'area' || p.areaKey !== ALL || !p.topic || !area) return null;
  if (p.status === 'fixed' || p.status === 'verified' || p.status === 'closed') return null;
  if (counts.now - p.detectedAt > config.mergeWindowMs) return null;
  const ks = counts.keys.get(GLOBAL);
  if (!ks) return null;
  const placed = counts.members(ks).filter((m) => m.problemId === p.id && m.area);
  if (placed.length < HOME_MIN) return null;
  const chains = placed.map((m) => areaChain(m.area));
  for (const place of areaChain(area)) {
    if (place === ALL) break;
    const inside = chains.filter((c) => c.includes(place)).length;
    if (inside < HOME_SHARE * placed.length) continue;
    if (binomialTail(inside, placed.length, counts.shareOfPlaced(place)) <= HOME_ALPHA)
      return place;
  }
  return null;
}

/**
 * Placed complainers it needs: six (five of six in one place at least), not ten. A small trouble
 * raised country-wide at night or on a small desk has few (QA replay: a New Orleans outage of
 * 15 stayed "outage — US" with 7 naming the city); the binomial test below keeps a country-wide
 * trouble's few placed complainers in a big city where they are.
 */
const HOME_MIN = 6;
const HOME_SHARE = 0.8;
const HOME_ALPHA = 1e-4;

/**
 * Whether an excess of another topic than a young country-wide problem's is a local trouble of
 * its own beside it. Only beside a problem whose complainers naming a place are spread over the
 * country; then a local key of a place the problem does not show in yet, or a country-wide key
 * whose unexplained complainers gather in such a place (a city's outage shows first as the
 * country's outage count, its customers naming no place). Gathering: far beyond the place's
 * usual share (binomial tail ≤ 1e-3, as `innerPlace`); showing: that, or three of the problem's
 * complainers there. Where it shows, it is the problem's own trouble there under a confused
 * topic (a local outage raised country-wide from its placeless first complaints).
 */
function localBeside(
  counts: Counts,
  p: ProblemView,
  chain: string[] | null,
  excess: KeyState,
): boolean {
  if (p.kind !== 'area' || p.areaKey !== ALL) return false;
  const own = problemMembers(counts, p);
  // Its complainers must show it country-wide: enough name a place, and no one city holds
  // most of them (`HOME_SHARE`, as `homePlace` settles). A problem of complaints naming no
  // place, or of one city's, may be any place's or that city's, and the places joining it are
  // where it shows. (Not "no city beyond its usual share": a country-wide trouble's 17 placed
  // complainers, 5 of them in Denver, are beyond Denver's usual 3 %.)
  const placedN = placedCustomers(own);
  if (placedN < HOME_MIN) return false;
  const home = busiestCity(own);
  if (
    home &&
    placedCustomers(own.filter((m) => areaChain(m.area).includes(home))) >= HOME_SHARE * placedN
  )
    return false;
  if (chain && chain[0] !== ALL) return !showsIn(counts, own, chain[0]);
  const theirs = counts.members(excess).filter((m) => !m.problemId);
  const place = busiestCity(theirs);
  return !!place && gathersIn(counts, theirs, place) && !showsIn(counts, own, place);
}
