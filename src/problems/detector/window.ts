import type { Area } from '../../triage/index.js';
import { areaChain } from './areas.js';
import { FirstEntries } from './first-entries.js';
import type { Member } from './types.js';

/** One counted complaint (or process signal) inside the detector's windows. */
export interface Entry extends Member {
  topic: string | null;
  problemId: string | null;
  sig: Uint32Array | null;
  area: Area | null;
  /** The windows it was added to, with its absolute position in each (see `explain`). */
  wins?: { win: Window; pos: number }[];
  /** What the baseline's priors learned from it, forgotten once a problem explains it. */
  learned?: Learned;
  /** `areaChain(area)`, once asked for (`chainOf`). */
  chain?: string[];
}

/** A complaint's part in the area prior (`AreaPrior`): its customer, first seen by it. */
export interface Learned {
  /** Area keys its customer was first counted in by this message. */
  areas: string[];
  /** Its customer was first seen by this message. */
  customer: boolean;
}

/**
 * Gives an entry that named no place its area (a later message of its case named it), telling
 * the windows holding it. Its memoised chain (`chainOf`) is dropped.
 */
export function placeEntry(e: Entry, area: Area): void {
  e.area = area;
  e.chain = undefined;
  if (e.wins) for (const { win, pos } of e.wins) win.placedAt(e, pos);
}

/** Every area chain met so far, one array each (`chainOf`). */
const chains = new Map<string, string[]>();

/**
 * The entry's area chain (`areaChain`), computed once: big windows read it for every member.
 * Entries of one place share one array (do not change it), so readers can group by it.
 */
export function chainOf(e: Entry): string[] {
  if (!e.chain) {
    const chain = areaChain(e.area);
    const key = chain.join('|');
    const known = chains.get(key);
    if (known) e.chain = known;
    else {
      chains.set(key, chain);
      e.chain = chain;
    }
  }
  return e.chain;
}

/**
 * Links an entry to a problem: from now on it is explained, and the windows still holding it
 * count its customer as explained (an excess a known problem accounts for raises nothing new).
 */
export function explain(e: Entry, problemId: string): void {
  const was = e.problemId;
  e.problemId = problemId;
  if (!e.wins) return;
  // A move to another problem changes what its windows hold too (see `linkedVersion`).
  for (const { win } of e.wins) win.linkedVersion++;
  if (was) {
    if (was !== problemId) for (const { win, pos } of e.wins) win.movedAt(was, problemId, pos);
    return;
  }
  for (const { win, pos } of e.wins) win.explainAt(e, pos);
}

/** Distinct customers inside a sliding event-time window (O(1) amortised per event). */
export class Window {
  readonly queue: Entry[] = [];
  head = 0;
  readonly last = new Map<string, number>();
  /** Customers of the window with at least one entry linked to a problem (entry count). */
  private readonly explained = new Map<string, number>();
  /** The window's entries linked to each problem (`linkedTo`). */
  private readonly byProblem = new Map<string, number>();
  /** Absolute position of `queue[0]` (entries spliced off so far). */
  private base = 0;
  /** Each customer's first queued entry, once someone asked (`firsts`). */
  private index: FirstEntries | null = null;
  /**
   * Changes whenever the window's entries linked to problems do (one added already linked, one
   * linked or moved); `evictions` whenever entries leave it. A reader of linked entries may keep
   * what it computed while both stay (`placeQuiet`).
   */
  linkedVersion = 0;
  evictions = 0;
  constructor(readonly ms: number) {}
  /** Adds; returns true when the customer was not in the window (a new episode). */
  add(e: Entry): boolean {
    const fresh = !this.last.has(e.customerId);
    const prev = this.last.get(e.customerId) ?? Number.NEGATIVE_INFINITY;
    if (e.at >= prev) this.last.set(e.customerId, e.at);
    if (!e.wins) e.wins = [];
    const pos = this.base + this.queue.length;
    e.wins.push({ win: this, pos });
    this.queue.push(e);
    this.index?.added(e, pos);
    if (e.problemId) {
      this.bump(e.customerId, 1);
      this.tally(e.problemId, 1);
      this.linkedVersion++;
    }
    return fresh;
  }
  /** An entry at absolute position `pos` was linked: counted when it is still queued. */
  explainAt(e: Entry, pos: number): void {
    if (pos < this.base + this.head) return;
    this.bump(e.customerId, 1);
    this.tally(e.problemId!, 1);
  }
  /** An entry at absolute position `pos` moved from one problem to another. */
  movedAt(from: string, to: string, pos: number): void {
    if (pos < this.base + this.head) return;
    this.tally(from, -1);
    this.tally(to, 1);
  }
  /** How many of the window's entries a problem holds (call `evict` first). */
  linkedTo(problemId: string): number {
    return this.byProblem.get(problemId) ?? 0;
  }
  private tally(problemId: string, d: number) {
    const n = (this.byProblem.get(problemId) ?? 0) + d;
    if (n > 0) this.byProblem.set(problemId, n);
    else this.byProblem.delete(problemId);
  }
  private bump(customerId: string, d: number) {
    const n = (this.explained.get(customerId) ?? 0) + d;
    if (n > 0) this.explained.set(customerId, n);
    else this.explained.delete(customerId);
  }
  /** Distinct customers no problem explains (the count a new detection is tested on). */
  get unexplained(): number {
    return Math.max(0, this.last.size - this.explained.size);
  }
  /** Drops entries older than the window; calls `gone` for each customer that left it. */
  evict(now: number, gone?: (e: Entry) => void): void {
    const cutoff = now - this.ms;
    const head = this.head;
    while (this.head < this.queue.length && this.queue[this.head].at < cutoff) {
      const e = this.queue[this.head];
      this.index?.evicted(e, this.base + this.head);
      this.head++;
      if (e.problemId) {
        this.bump(e.customerId, -1);
        this.tally(e.problemId, -1);
      }
      if (this.last.get(e.customerId) === e.at) {
        this.last.delete(e.customerId);
        gone?.(e);
      }
    }
    if (this.head !== head) this.evictions++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
  /**
   * The window's complainers (`all`, or only those no problem explains) span `persistMs` and
   * fall into `persistBuckets` buckets of `bucketMs`: an excess that lasts, not one burst (a
   * blip pages no one). Stops as soon as it holds: a big excess persists after a few entries.
   */
  persists(
    cfg: { persistMs: number; persistBuckets: number; bucketMs: number },
    all = true,
  ): boolean {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const buckets = new Set<number>();
    const seen = new Set<string>();
    for (let i = this.head; i < this.queue.length; i++) {
      const e = this.queue[i];
      if (seen.has(e.customerId) || (!all && e.problemId)) continue;
      seen.add(e.customerId);
      if (e.at < min) min = e.at;
      if (e.at > max) max = e.at;
      buckets.add(Math.floor(e.at / cfg.bucketMs));
      if (max - min >= cfg.persistMs && buckets.size >= cfg.persistBuckets) return true;
    }
    return false;
  }

  /**
   * The window's distinct complainers (`all`, or only those no problem explains) that fall
   * outside its busiest stretch of `stretchMs`: what of the excess lasted beyond one moment.
   * A burst alone in its key's window (a quiet city, a quiet hour, a desk with no traffic
   * around it) spans less than `persistMs` however many customers it holds; when enough of
   * them came outside its busiest stretch to be significant on their own, it is no blip.
   */
  outsideBusiest(stretchMs: number, all = true): number {
    const times: number[] = [];
    const seen = new Set<string>();
    for (let i = this.head; i < this.queue.length; i++) {
      const e = this.queue[i];
      if (seen.has(e.customerId) || (!all && e.problemId)) continue;
      seen.add(e.customerId);
      times.push(e.at);
    }
    times.sort((a, b) => a - b);
    let busiest = 0;
    for (let lo = 0, hi = 0; hi < times.length; hi++) {
      while (times[hi] - times[lo] >= stretchMs) lo++;
      busiest = Math.max(busiest, hi - lo + 1);
    }
    return times.length - busiest;
  }

  entries(): Entry[] {
    return this.queue.slice(this.head);
  }
  /** Each customer's first queued entry (`FirstEntries`), built when first asked for. */
  firsts(): FirstEntries {
    if (!this.index) {
      this.index = new FirstEntries((pos) => this.queue[pos - this.base]);
      for (let i = this.head; i < this.queue.length; i++)
        this.index.added(this.queue[i], this.base + i);
    }
    return this.index;
  }
  /** An entry at absolute position `pos` was given an area (see `placeEntry`). */
  placedAt(e: Entry, pos: number): void {
    this.index?.placed(e, pos);
  }
  get size(): number {
    return this.last.size;
  }
}

export type KeyFamily = 'area' | 'text' | 'process';

/** The sliding windows and learned baseline of one detector key. */
export interface KeyState {
  key: string;
  family: KeyFamily;
  topic: string | null;
  areaKey: string | null;
  /** The region (state) the key's place lies in, for the regional share baseline. */
  regionKey: string | null;
  windows: Window[];
  /** Episodes that aged out of the longest window unexplained by a problem: the baseline. */
  history: number;
}

/** The stored shape of a counted complaint (what a link decision carries). */
export function member(e: Entry): Member {
  return { ref: e.ref, caseId: e.caseId, customerId: e.customerId, at: e.at, topic: e.topic };
}
