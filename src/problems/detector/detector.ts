import type { Area } from '../../triage/index.js';
import { ALL, areaChain } from './areas.js';
import { type DetectorParts, ProblemBook } from './book.js';
import { catchUpPlaceless } from './catch-up.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { ANY_TOPIC, Counts, GLOBAL } from './counts.js';
import { AreaMemory } from './enrich.js';
import { fixFailed, verifyQuietFor } from './fix-check.js';
import { keysFor } from './keys.js';
import { matchByKinship, matchByWords, matchOnArrival, matchUnflagged } from './link.js';
import { raiseProcess } from './process-raise.js';
import { settleHome, testAreaKey } from './raise.js';
import { settlePlace } from './settle-place.js';
import { splitTopic } from './split-topic.js';
import { contentTerms, minhash } from './text.js';
import { settleTextPlace } from './text-place.js';
import { testTextKey } from './text-raise.js';
import type { Complaint, Decision, Observation, ProblemView, ProcessSignal } from './types.js';
import { type Entry, member, placeEntry } from './window.js';

/** Triage's topic for thanks and compliments (never a complaint's). */
const PRAISE = 'praise';

export type {
  Baseline,
  Complaint,
  Decision,
  Member,
  Observation,
  ProblemKind,
  ProblemView,
  ProcessSignal,
} from './types.js';

/**
 * The streaming problem detector. Pure and in-memory, driven only by event time, so a replay of
 * history makes exactly the decisions the live stream made. Counts distinct complainers per
 * topic × area (every area level) and per content term in sliding windows (`Counts`), compares
 * them with a seasonal, shrunk baseline by a tail test, and raises only on an excess that is
 * significant AND persistent (`raise.ts`); links new complaints to open problems (`link.ts`,
 * `ProblemBook`). Its state is a cache: it can be rebuilt from stored messages.
 */
export class Detector {
  readonly config: DetectorConfig;
  private readonly counts: Counts;
  private readonly book: ProblemBook;
  private readonly parts: DetectorParts;
  /** Rebuilding from history: count, but decide nothing (those decisions are stored). */
  silent = false;
  /** Event time of the last `tick` (see `tickDue`). */
  private tickedAt = Number.NEGATIVE_INFINITY;
  /** Where customers, cases and phone area codes are (fills in complaints naming no place). */
  private readonly areas = new AreaMemory();
  /** Recent complaints counted without a place, by case: a later message may name it. */
  private readonly pendingCase = new Map<string, Entry>();

  constructor(config: Partial<DetectorConfig> = {}) {
    this.config = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    this.counts = new Counts(this.config);
    this.book = new ProblemBook(this.config, this.counts);
    this.parts = { config: this.config, counts: this.counts, book: this.book };
  }

  /** Event time: the latest message or signal seen. */
  get now(): number {
    return this.counts.now;
  }

  /**
   * Time passes with no message: a quiet live desk (`idle-time.ts`). `tick` then sees how long
   * a problem's complaints have stayed away; nothing is counted.
   */
  advanceTo(at: number): void {
    if (at > this.counts.now) this.counts.advance(at);
  }

  /** How far back in event time a message still counts: the longest window. */
  get horizonMs(): number {
    return Math.max(...this.config.windowsMs);
  }

  /**
   * A message older than every window (a straggler: an email delivered a day late). In event
   * order it would have left the windows before this detector saw anything newer, so it counts
   * nowhere, and it must not move where history starts (the warm-up test).
   */
  private isStraggler(at: number): boolean {
    return this.counts.firstAt !== null && at < this.counts.now - this.horizonMs;
  }

  /** Replaces the detector's view of open problems (storage is the source of truth). */
  syncProblems(views: ProblemView[]): void {
    this.book.sync(views);
  }

  problemViews(): ProblemView[] {
    return this.book.views();
  }

  /** The problem the detector links the case's complaints to, if any. */
  caseLinkOf(caseId: string): string | undefined {
    return this.book.caseProblem.get(caseId);
  }

  noteCaseLink(caseId: string, problemId: string | null): void {
    this.book.noteCaseLink(caseId, problemId);
  }

  /** When a case the detector linked joined its problem (a rebuilt detector reads storage). */
  noteJoined(problemId: string, at: number): void {
    this.book.newCases.note(problemId, at);
  }

  /** The topic vote a stored link of the case cast (a rebuilt detector reads storage). */
  restoreVote(caseId: string, problemId: string, topic: string): void {
    this.book.restoreVote(caseId, problemId, topic);
  }

  /**
   * One inbound customer message (the pipeline's entry point): fills in a missing area from
   * the case, the customer or the phone number, learns from a named one (and gives a complaint
   * of the same case counted without a place its place, linking it if a problem is there),
   * then counts the message and, when it is a complaint, tests and links it.
   */
  observe(o: Observation): Decision[] {
    if (this.isStraggler(o.at)) return this.observeStraggler(o);
    this.counts.advance(o.at);
    const out: Decision[] = [];
    let area = o.area && this.areas.atHome(o.customerId, o.area);
    if (area) {
      this.areas.learn(o.customerId, o.caseId, o.address ?? null, area);
      if (o.caseId) this.placeCase(o.caseId, area, o.at, out);
    } else if (this.config.inferArea) {
      area = this.areas.resolve(o.customerId, o.caseId, o.address ?? null)?.area ?? null;
    }
    this.observeMessage(o.customerId, area, o.at);
    if (!o.complaint) {
      const link = this.linkUnflagged(o, area);
      if (link) out.push(link);
    } else {
      out.push(
        ...this.observeComplaint({
          ref: o.ref,
          at: o.at,
          customerId: o.customerId,
          caseId: o.caseId,
          topic: o.topic,
          area,
          text: o.text,
        }),
      );
      this.settleTopics(out);
    }
    return out;
  }

  /**
   * A straggler (`isStraggler`) teaches where its customer is, and a complaint on a case a live
   * problem holds joins it, as its case's later complaints do; nothing is counted or tested.
   * (The runtime hands whole stretches of late history to a detector of their own time.)
   */
  private observeStraggler(o: Observation): Decision[] {
    if (o.area) this.areas.learn(o.customerId, o.caseId, o.address ?? null, o.area);
    const id = o.caseId ? this.book.caseProblem.get(o.caseId) : undefined;
    if (this.silent || !o.complaint || !this.book.active(id)) return [];
    return [this.book.linkEntry(id!, linkedEntry(o, o.area, null), 'arrival')];
  }

  /**
   * The problems this message linked to take the topic their complainers agree on, and show
   * the place inside their own where those complainers concentrate.
   */
  private settleTopics(out: Decision[]): void {
    if (this.silent) return;
    // Once per problem: a raise links its whole window in one message.
    const ids = new Set<string>();
    for (const d of out) if (d.type === 'link') ids.add(d.problemId);
    for (const id of ids) {
      const p = this.book.problems.get(id);
      if (!p) continue;
      settlePlace(this.parts, p, this.counts.now, out);
      settleTextPlace(this.parts, p, this.counts.now, out);
      splitTopic(this.parts, p, this.counts.now, out);
      const topic = this.book.settledTopic(p);
      if (!topic) continue;
      p.topic = topic;
      out.push({ type: 'retopic', problemId: p.id, at: this.counts.now, topic });
    }
  }

  /**
   * A message that is not a complaint, on a case no problem holds yet, joins the live trouble
   * whose words it uses, or whose place and topic it names (`matchUnflagged`); it is not
   * counted, and does not keep the problem live. Never praise: in a trouble's words ("love the
   * new app update") it is still nobody's trouble (the problems of draw b's desk high-swing,
   * outside-style set, held 57 cases of background customers that had only praised).
   */
  private linkUnflagged(o: Observation, area: Area | null): Decision | null {
    if (this.silent || !this.config.text.enabled || !this.config.linkUnflagged) return null;
    if (o.topic === PRAISE) return null;
    // Most messages arrive while no problem is open: no words to read then.
    if (this.book.problems.size === 0) return null;
    if (o.caseId && this.book.active(this.book.caseProblem.get(o.caseId))) return null;
    const termKeys = contentTerms(o.text).map((t) => `w:${t}`);
    const id = matchUnflagged(this.parts, o.topic, areaChain(area), termKeys);
    if (!id) return null;
    const entry = linkedEntry(o, area, id);
    if (o.caseId) this.book.caseProblem.set(o.caseId, id);
    // Not a complaint: linked, but no vote for the problem's topic.
    return {
      type: 'link',
      problemId: id,
      member: { ...member(entry), topic: null },
      reason: 'arrival',
    };
  }

  /** A later message of a case named the place its earlier complaint did not. */
  private placeCase(caseId: string, area: Area, at: number, out: Decision[]) {
    const e = this.pendingCase.get(caseId);
    if (!e) return;
    this.pendingCase.delete(caseId);
    if (e.area || at - e.at > this.config.windowsMs[this.config.windowsMs.length - 1]) return;
    placeEntry(e, area);
    const { chain, topicKeys, keyTopics, keyAreas } = keysFor(this.config, e.topic!, area);
    const region = chain.find((k) => k.startsWith('r:')) ?? null;
    for (let i = 0; i < topicKeys.length; i++) {
      if (keyAreas[i] === ALL) continue;
      this.counts.addEntry(this.areaKeyState(topicKeys[i], keyTopics[i], keyAreas[i], region), e);
    }
    if (e.problemId || this.silent) return;
    const target = matchOnArrival(this.parts, e.caseId, e.topic!, areaChain(area), []);
    if (target) {
      out.push(this.book.linkEntry(target, e, 'arrival'));
    }
  }

  /**
   * A topic × area key. Its baseline compares it with the complaints of its region, except
   * a whole region's every-topic key, which is compared with the country's.
   */
  private areaKeyState(key: string, topic: string, areaKey: string, region: string | null) {
    const within = topic === ANY_TOPIC && areaKey === region ? null : region;
    return this.counts.keyState(key, 'area', topic, areaKey, within);
  }

  /** Every inbound customer message: teaches how customers spread over areas. */
  observeMessage(customerId: string, area: Area | null, at: number): void {
    this.counts.advance(at);
    this.counts.observeMessage(customerId, area);
  }

  /** One classified complaint; returns what to do (raise, link, own, confirm). */
  observeComplaint(c: Complaint): Decision[] {
    this.counts.advance(c.at);
    const out: Decision[] = [];
    const entry: Entry = {
      ref: c.ref,
      at: c.at,
      customerId: c.customerId,
      caseId: c.caseId,
      topic: c.topic,
      problemId: null,
      sig: this.config.text.enabled ? minhash(c.text) : null,
      area: c.area,
      learned: this.counts.takeLearned(c.customerId),
    };
    const { chain, topicKeys, keyTopics, keyAreas } = keysFor(this.config, c.topic, c.area);
    const terms = this.config.text.enabled ? contentTerms(c.text) : [];
    const termKeys = terms.map((t) => `w:${t}`);

    // Count first, so the complaint that tips a key over is part of its evidence.
    this.counts.addEntry(this.counts.keyState(GLOBAL, 'area', null, null), entry);
    const region = chain.find((k) => k.startsWith('r:')) ?? null;
    for (let i = 0; i < topicKeys.length; i++) {
      const ks = this.areaKeyState(topicKeys[i], keyTopics[i], keyAreas[i], region);
      const fresh = this.counts.addEntry(ks, entry);
      if (fresh && keyAreas[i] === ALL) {
        this.counts.countEpisode(c.topic, c.at, region);
      }
    }
    this.counts.countDoc(terms);
    for (const k of termKeys)
      this.counts.addEntry(this.counts.keyState(k, 'text', null, null), entry);

    if (chain.length === 1 && c.caseId) {
      this.pendingCase.delete(c.caseId);
      this.pendingCase.set(c.caseId, entry);
      if (this.pendingCase.size > 100_000)
        this.pendingCase.delete(this.pendingCase.keys().next().value as string);
    }

    // Rebuilding from storage: a complaint on a case a problem holds was explained by it, as in
    // the detector that linked it; left unexplained, the excess it was part of looks new, and a
    // wider key of the same trouble (its state) is raised as a second problem.
    const held = this.silent && c.caseId ? this.book.caseProblem.get(c.caseId) : undefined;
    if (held) this.counts.explain(entry, held);

    // Link on arrival: by place and topic, else words, else (country-wide) how it reads.
    const target = matchOnArrival(this.parts, c.caseId, c.topic, chain, termKeys);
    const byWords = target ? null : matchByWords(this.parts, chain, termKeys);
    const byKin = target || byWords ? null : matchByKinship(this.parts, c.topic, entry.sig);
    const id = target ?? byWords ?? byKin;
    if (id) {
      // Naming no place, it passed by its topic's country-wide key: so may those before it.
      if (target && chain.length === 1) catchUpPlaceless(this.parts, id, entry, out);
      this.counts.explain(entry, id);
      this.book.noteNewCase(id, entry);
      if (c.caseId) this.book.caseProblem.set(c.caseId, id);
      out.push({ type: 'link', problemId: id, member: member(entry), reason: 'arrival' });
      if (target) this.book.touch(target, c.at);
      const p = this.book.problems.get(id);
      if (p) this.book.refreshEpisode(p);
      // A country-wide problem's placed complainers may show where it really is.
      if (p && target && !this.silent) settleHome(this.parts, p, c.area, c.at, out);
    }

    if (this.silent) return [];
    // A desk's first hours have no baseline: only the cold test (`cold-start.ts`).
    for (let i = 0; i < topicKeys.length; i++)
      testAreaKey(this.parts, topicKeys[i], keyAreas[i], c, out, this.counts.cold);
    const textWarm =
      this.counts.firstAt !== null &&
      this.counts.now - this.counts.firstAt >= this.config.text.warmupMs;
    if (textWarm && !entry.problemId) {
      for (const k of termKeys) {
        if (testTextKey(this.parts, k, out)) break;
      }
    }
    return out;
  }

  /** A process signal (broken promise, SLA breach, repeat contact) for one team. */
  observeProcess(s: ProcessSignal): Decision[] {
    const late = s.late || this.isStraggler(s.at);
    if (!late) this.counts.advance(s.at);
    const out: Decision[] = [];
    const key = `proc:${s.kind}:${s.teamId}`;
    const ks = this.counts.keyState(key, 'process', null, null);
    if (late) {
      // Straight into the baseline, as an episode that aged out unexplained would be: it says
      // how often this team's clocks break, not that they break more now.
      ks.history++;
      this.counts.countProcess(s.teamId, true);
      return out;
    }
    const entry: Entry = { ...s, topic: null, problemId: null, sig: null, area: null };
    this.counts.countProcess(s.teamId, this.counts.addEntry(ks, entry));
    // Rebuilding from storage: counted only (a problem raised here would exist in memory only).
    if (this.silent) return out;
    const owner = this.book.ownedBy.get(key);
    if (owner) {
      // A case another problem holds stays there (its customer waits for that trouble's news).
      if (!this.book.heldElsewhere(s.caseId, owner))
        out.push({ type: 'link', problemId: owner, member: member(entry), reason: 'arrival' });
      this.counts.explain(entry, owner);
      return out;
    }
    raiseProcess(this.parts, ks, s, out);
    return out;
  }

  /**
   * `tick` once a minute of event time, for callers that observe many messages at once (a batch
   * of replayed history spans hours): the fix check compares hour-long windows, and checked only
   * at a batch's end it misses the hour a fix failed in. Live traffic and replays then tick alike.
   */
  tickDue(): Decision[] {
    return this.counts.now - this.tickedAt >= 60_000 ? this.tick() : [];
  }

  /**
   * Time-driven decisions, in event time: expiry of a problem nobody acted on, a fix that did
   * not hold, verification after a quiet period.
   */
  tick(): Decision[] {
    const out: Decision[] = [];
    if (this.silent) return out;
    this.tickedAt = this.counts.now;
    for (const p of this.book.problems.values()) {
      // Only a suspected problem closes on its own when its complaints subside: one confirmed
      // (by a person, or by the stronger test) told its customers it is being worked on, so it
      // waits for its owner team to mark it fixed, which tells them the outcome.
      if (p.status === 'confirmed') continue;
      if (!p.human && p.status === 'suspected') {
        if (this.counts.now - p.lastEventAt >= this.config.expireQuietMs) {
          out.push({ type: 'expire', problemId: p.id, at: this.counts.now });
          p.status = 'closed';
        }
        continue;
      }
      if (p.status !== 'fixed' || p.fixedAt === null) continue;
      const failed = fixFailed(this.config, p, this.book.newCases, this.counts.now);
      if (failed) {
        out.push({ type: 'unfix', problemId: p.id, at: this.counts.now, ...failed });
        p.status = 'fixing';
        p.fixedAt = null;
        continue;
      }
      const since = Math.max(p.fixedAt, p.lastEventAt);
      if (this.counts.now - since >= verifyQuietFor(this.config, p, this.book.newCases)) {
        out.push({ type: 'verify', problemId: p.id, at: this.counts.now });
        p.status = 'verified';
      }
    }
    return out;
  }
}

/** A message as an entry that is linked, not counted or tested (no MinHash). */
function linkedEntry(o: Observation, area: Area | null, problemId: string | null): Entry {
  return {
    ref: o.ref,
    at: o.at,
    customerId: o.customerId,
    caseId: o.caseId,
    topic: o.topic,
    problemId,
    sig: null,
    area,
  };
}
