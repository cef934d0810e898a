import { chainOfKey } from './areas.js';
import type { DetectorConfig } from './config.js';
import type { Counts } from './counts.js';
import { freshExcess } from './episode.js';
import { NewCases } from './fix-check.js';
import { mode } from './stats.js';
import type { Decision, ProblemKind, ProblemView } from './types.js';
import { type Entry, type KeyState, member } from './window.js';

/** Share of a text cluster's topic votes that one topic needs to name it (`settledTopic`). */
const TEXT_TOPIC_SHARE = 0.7;

/** How long (event time) a key's holder is reused before it is counted again. */
const HOLDER_TTL_MS = 60_000;

/**
 * The detector's view of open problems (synced from storage every batch, and updated by its
 * own decisions in between): which problem owns which key, which case is linked where, and
 * whether a problem is still live (drawing complaints) in event time.
 */
export class ProblemBook {
  problems = new Map<string, ProblemView>();
  ownedBy = new Map<string, string>();
  /** Case id → problem id, for complaints arriving on an already linked case. */
  readonly caseProblem = new Map<string, string>();
  /** Problem id → the last event time one of its keys was significantly in excess. */
  private readonly excessAt = new Map<string, number>();
  /**
   * Problem → where its trouble began (the raise's `firstAt`), for judging its keys since then
   * while young (`excessSince`). Kept in memory only: a restarted detector judges over the link
   * window, as before.
   */
  readonly onsetAt = new Map<string, number>();
  /** `<problem> <topic>`: its complaints naming no place were caught up once (`catch-up.ts`). */
  readonly caughtUp = new Set<string>();
  /** Key → its holder as last counted (see `holder`), so busy keys are not recounted per message. */
  private readonly held = new Map<string, { at: number; id: string | null }>();
  /** Problem → event time its place was last checked (see `placeCheckDue`). */
  private readonly homeChecked = new Map<string, number>();
  /** Problem → event time its topics were last checked for a second trouble (`splitCheckDue`). */
  private readonly splitChecked = new Map<string, number>();
  /** Case → the problem its first link voted for, and the topic (`unvote`). */
  private readonly caseVotes = new Map<string, { problemId: string; topic: string }>();
  /** Problem → topic → cases whose first link to it was a complaint of that topic (`noteNewCase`). */
  private topicVotes = new Map<string, Map<string, number>>();
  /** When each case first joined each problem, for whether a fix held (`fix-check.ts`). */
  readonly newCases = new NewCases(26 * 3_600_000);
  /** Problem → MinHash signatures of its latest linked complaints (see `signatures`). */
  private readonly sigs = new Map<string, { at: number; sigs: Uint32Array[] }>();

  constructor(
    private readonly config: DetectorConfig,
    private readonly counts: Counts,
  ) {}

  private get now(): number {
    return this.counts.now;
  }

  /** Replaces the detector's view of open problems (storage is the source of truth). */
  sync(views: ProblemView[]): void {
    this.problems = new Map(views.map((v) => [v.id, v]));
    this.ownedBy = new Map();
    for (const v of views) for (const k of v.keys) this.ownedBy.set(k, v.id);
    for (const id of this.excessAt.keys()) if (!this.problems.has(id)) this.excessAt.delete(id);
    for (const id of this.onsetAt.keys()) if (!this.problems.has(id)) this.onsetAt.delete(id);
    for (const k of this.caughtUp) if (!this.problems.has(k.split(' ')[0])) this.caughtUp.delete(k);
    for (const id of this.sigs.keys()) if (!this.problems.has(id)) this.sigs.delete(id);
    this.newCases.keepOnly(new Set(this.problems.keys()));
    this.counts.joins.keepOnly(new Set(this.problems.keys()));
    // Storage holds every committed vote (apply-decisions counts them as it stores the links),
    // so a rebuilt detector counts on from where the live one was.
    this.topicVotes = new Map(views.map((v) => [v.id, new Map(Object.entries(v.votes ?? {}))]));
    for (const seen of [this.homeChecked, this.splitChecked])
      for (const id of seen.keys()) if (!this.problems.has(id)) seen.delete(id);
  }

  /**
   * Whether a young problem's place is due to be checked again (`settleHome`, `settlePlace`):
   * once per `HOLDER_TTL_MS` of event time, so a busy trouble is not recounted per complaint.
   */
  placeCheckDue(id: string): boolean {
    return this.due(this.homeChecked, id);
  }

  /** Whether a young problem's other topics are due to be checked again (`splitTopic`). */
  splitCheckDue(id: string): boolean {
    return this.due(this.splitChecked, id);
  }

  private due(seen: Map<string, number>, id: string): boolean {
    const last = seen.get(id);
    if (last !== undefined && this.now - last < HOLDER_TTL_MS) return false;
    seen.set(id, this.now);
    return true;
  }

  /**
   * The live problem holding at least `coMemberShare` of a key's recent complainers, if one
   * does: an excess or a word that mostly belongs to a known trouble's customers is that
   * trouble's, whatever topic triage gave it.
   */
  holder(ks: KeyState): ProblemView | undefined {
    const cached = this.held.get(ks.key);
    if (cached && this.now - cached.at < HOLDER_TTL_MS)
      return this.claiming(cached.id ?? undefined);
    const members = this.counts.members(ks);
    const best = mode(members.map((m) => m.problemId));
    const id = best.count >= this.config.coMemberShare * members.length ? best.value : null;
    if (this.held.size > 50_000) this.held.clear();
    this.held.set(ks.key, { at: this.now, id });
    return this.claiming(id ?? undefined);
  }

  views(): ProblemView[] {
    return [...this.problems.values()];
  }

  noteCaseLink(caseId: string, problemId: string | null): void {
    if (problemId) this.caseProblem.set(caseId, problemId);
    else this.caseProblem.delete(caseId);
  }

  adopt(
    id: string,
    kind: ProblemKind,
    topic: string | null,
    areaKey: string | null,
    keys: string[],
    at: number,
    confirmed = false,
    chain: string[] = areaKey ? chainOfKey(areaKey, null) : [],
  ) {
    this.problems.set(id, {
      id,
      kind,
      status: confirmed ? 'confirmed' : 'suspected',
      topic,
      areaKey,
      keys: [...keys],
      chain,
      shownKey: areaKey,
      lastEventAt: at,
      detectedAt: at,
      fixedAt: null,
      human: false,
    });
    for (const k of keys) this.ownedBy.set(k, id);
    this.excessAt.set(id, at);
  }

  /**
   * The problem drew a complaint or one of its keys was tested again: while one of its keys is
   * still significantly in excess (in the shorter windows, counting linked complaints too) its
   * trouble goes on. With `episode.freshOnly`, only customers new to the problem count there
   * (`freshExcess`): its own customers writing again are no new trouble. Tested at most every
   * 5 minutes per problem.
   */
  refreshEpisode(p: ProblemView): void {
    const last = this.excessAt.get(p.id) ?? p.lastEventAt;
    if (this.handMade(p) || this.now - last < 5 * 60_000) return;
    const { min, alpha, window, freshOnly } = this.config.episode;
    for (const k of p.keys) {
      const ks = this.counts.keys.get(k);
      if (!ks) continue;
      const goesOn = freshOnly
        ? freshExcess(this.counts, ks, p.id, this.config.episode)
        : !!this.counts.significant(ks, min, alpha, true, window);
      if (!goesOn) continue;
      this.excessAt.set(p.id, this.now);
      return;
    }
  }

  /**
   * Signatures of up to 60 of the problem's complaints linked in the last hour through its own
   * keys: what its trouble reads like now. Recounted at most once a minute of event time.
   */
  signatures(p: ProblemView): Uint32Array[] {
    const cached = this.sigs.get(p.id);
    if (cached && this.now - cached.at < HOLDER_TTL_MS) return cached.sigs;
    const out: Uint32Array[] = [];
    for (const k of p.keys) {
      const ks = this.counts.keys.get(k);
      if (!ks) continue;
      for (const m of this.counts.members(ks, 0))
        if (m.problemId === p.id && m.sig) out.push(m.sig);
    }
    const sigs = out.slice(-60);
    this.sigs.set(p.id, { at: this.now, sigs });
    return sigs;
  }

  /**
   * A detected problem whose excess subsided `episode.gapMs` ago (see `refreshEpisode`). Also
   * once a person acted on it: it stays open and keeps its cases (their customers' messages
   * still follow them), but a later excess of its keys is a trouble of its own, as one after a
   * fix that held is (`reopen.ts`), which a person can merge. Else a problem that a few
   * stragglers' "still down" put back to `fixing` drew every later complaint of its place for
   * good, and with them the next trouble there (full pipeline, seed 3: a Los Angeles network
   * outage six days after the first was fixed). A problem made by hand (no keys of its own)
   * draws complaints until a person closes it.
   */
  episodeOver(p: ProblemView): boolean {
    if (p.kind === 'process' || this.handMade(p)) return false;
    const seen = this.excessAt.get(p.id);
    // Made by a person for a topic and place: the trouble it was made for is the next excess
    // of its keys, however long ago the case it was made from was written. Its episode runs
    // from that excess on, as any problem's does.
    if (p.kind === 'manual' && seen === undefined) return false;
    const last = seen ?? p.lastEventAt;
    return this.now - last > this.config.episode.gapMs;
  }

  linkEntry(problemId: string, e: Entry, reason: 'detected' | 'merged' | 'arrival'): Decision {
    const was = e.caseId ? this.caseProblem.get(e.caseId) : undefined;
    const unvote = was && was !== problemId ? this.unvote(was, e.caseId!) : null;
    this.counts.explain(e, problemId);
    this.noteNewCase(problemId, e);
    if (e.caseId) this.caseProblem.set(e.caseId, problemId);
    this.touch(problemId, e.at);
    return { type: 'link', problemId, member: member(e), reason, ...(unvote ? { unvote } : {}) };
  }

  /**
   * A case's first link to a problem (storage keeps one link per case): noted for whether a fix
   * held (`newCases`), and its complaint's topic counts towards the problem's settled topic while
   * the problem is in its first `topicSettleMs`. Named topics only (`other` is triage not
   * knowing; a complaint is never praise). Call before the case is noted as linked.
   */
  noteNewCase(problemId: string, e: Entry): void {
    const p = this.problems.get(problemId);
    if (!p || !e.caseId || this.caseProblem.get(e.caseId) === problemId) return;
    this.newCases.note(problemId, e.at);
    const topic = votingTopic(p, e.topic, e.at, this.config.topicSettleMs);
    if (!topic) return;
    if (this.caseVotes.size > 200_000) this.caseVotes.clear();
    this.caseVotes.set(e.caseId, { problemId, topic });
    let v = this.topicVotes.get(problemId);
    if (!v) {
      v = new Map();
      this.topicVotes.set(problemId, v);
    }
    v.set(topic, (v.get(topic) ?? 0) + 1);
  }

  /**
   * The vote a stored link cast, for a detector rebuilt from storage (`warmDetector`): the tally
   * is stored (`sync`), who cast what is read back from the links and their complaints' topics.
   */
  restoreVote(caseId: string, problemId: string, topic: string): void {
    this.caseVotes.set(caseId, { problemId, topic });
  }

  /**
   * A case moved away from a problem takes back the vote its first complaint there gave it (known
   * in memory, and rebuilt from storage; storage takes back the same one, named on the link
   * decision).
   */
  private unvote(problemId: string, caseId: string): string | null {
    const cast = this.caseVotes.get(caseId);
    if (!cast || cast.problemId !== problemId) return null;
    this.caseVotes.delete(caseId);
    const v = this.topicVotes.get(problemId);
    const n = v?.get(cast.topic) ?? 0;
    if (n > 0) v!.set(cast.topic, n - 1);
    return cast.topic;
  }

  /**
   * The topic an automatic area problem should carry, when it is not the one it has: the topic
   * most of its linked cases name, ahead of its own by two and named by at least `minCustomers`. A
   * problem is raised under the first of its keys to stand out, and triage confuses related
   * topics (an outage reads as network trouble, a billing error as an account one), so the
   * first key's topic is often the trouble's second name; its complaints agree on the first.
   */
  settledTopic(p: ProblemView): string | null {
    if (p.human || (p.kind === 'area' ? !p.topic : p.kind !== 'text')) return null;
    // Renaming is for what the detector raised on its own; once it is being fixed it stays.
    if (p.status !== 'suspected' && p.status !== 'confirmed') return null;
    const v = this.topicVotes.get(p.id);
    if (!v) return null;
    let best: string | null = null;
    let bestN = 0;
    let all = 0;
    for (const [t, n] of v) {
      all += n;
      if (n > bestN || (n === bestN && t < best!)) [best, bestN] = [t, n];
    }
    // A text cluster is a trouble no topic names, unless its complainers mostly name one: a
    // city's network outage or a country-wide double billing first found by their words (the
    // word burst stood out before the topic's key) is that topic's trouble.
    if (!p.topic)
      return best && bestN >= this.config.minCustomers && bestN >= TEXT_TOPIC_SHARE * all
        ? best
        : null;
    if (!best || best === p.topic || bestN < this.config.minCustomers) return null;
    // A lead of two, so a near tie does not rename it back and forth.
    return bestN >= (v.get(p.topic) ?? 0) + 2 ? best : null;
  }

  touch(problemId: string, at: number) {
    const p = this.problems.get(problemId);
    if (p && at > p.lastEventAt) p.lastEventAt = at;
  }

  /**
   * Live and not yet verified: it claims new complaints and new excesses of its keys and place
   * (just after a fix, the trouble's stragglers still arrive). Once verified (its complaints
   * back to baseline) it keeps its linked cases, but a fresh excess is evidence of its own.
   */
  drawing(p: ProblemView | undefined): p is ProblemView {
    return !!p && this.live(p) && p.status !== 'verified' && !this.episodeOver(p);
  }

  /** The problem if it is drawing complaints (see `drawing`). */
  claiming(problemId: string | undefined): ProblemView | undefined {
    const p = problemId ? this.problems.get(problemId) : undefined;
    return this.drawing(p) ? p : undefined;
  }

  /** Whether a live problem other than `problemId` holds the case. */
  heldElsewhere(caseId: string | null, problemId: string): boolean {
    const held = caseId ? this.active(this.caseProblem.get(caseId)) : undefined;
    return !!held && held.id !== problemId;
  }

  active(problemId: string | undefined): ProblemView | undefined {
    if (!problemId) return undefined;
    const p = this.problems.get(problemId);
    return p && this.live(p) ? p : undefined;
  }

  /** Made by a person, not detected: no keys of its own to test for an excess. */
  private handMade(p: ProblemView): boolean {
    return p.human && p.keys.length === 0;
  }

  /**
   * Open and still drawing complaints. An automatic problem that went quiet stops claiming new
   * complaints (and expires later); one a person works on stays live until closed (but see
   * `episodeOver`).
   */
  live(p: ProblemView): boolean {
    if (p.status === 'closed') return false;
    return p.human || this.now - p.lastEventAt <= this.config.liveQuietMs;
  }
}

/** The detector's collaborators, passed to the raise and link rules. */
export interface DetectorParts {
  config: DetectorConfig;
  counts: Counts;
  book: ProblemBook;
}

/**
 * The topic a complaint linked at `at` votes for in problem `p`, or null: area problems and text
 * clusters in their first `settleMs`, named topics only. Shared with apply-decisions, which stores the votes.
 */
export function votingTopic(
  p: Pick<ProblemView, 'kind' | 'detectedAt'>,
  topic: string | null | undefined,
  at: number,
  settleMs: number,
): string | null {
  if (p.kind === 'process' || p.kind === 'manual' || !topic) return null;
  if (topic === 'other' || topic === 'praise') return null;
  return at - p.detectedAt <= settleMs ? topic : null;
}
