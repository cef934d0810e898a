import type { Area } from '../../triage/index.js';
import type { Member } from './types.js';

/** One counted complaint (or process signal) inside the detector's windows. */
export interface Entry extends Member {
  topic: string | null;
  problemId: string | null;
  sig: Uint32Array | null;
  area: Area | null;
}

/** Distinct customers inside a sliding event-time window (O(1) amortised per event). */
export class Window {
  readonly queue: Entry[] = [];
  head = 0;
  readonly last = new Map<string, number>();
  constructor(readonly ms: number) {}
  /** Adds; returns true when the customer was not in the window (a new episode). */
  add(e: Entry): boolean {
    const fresh = !this.last.has(e.customerId);
    const prev = this.last.get(e.customerId) ?? Number.NEGATIVE_INFINITY;
    if (e.at >= prev) this.last.set(e.customerId, e.at);
    this.queue.push(e);
    return fresh;
  }
  /** Drops entries older than the window; calls `gone` for each customer that left it. */
  evict(now: number, gone?: (e: Entry) => void): void {
    const cutoff = now - this.ms;
    while (this.head < this.queue.length && this.queue[this.head].at < cutoff) {
      const e = this.queue[this.head++];
      if (this.last.get(e.customerId) === e.at) {
        this.last.delete(e.customerId);
        gone?.(e);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
  entries(): Entry[] {
    return this.queue.slice(this.head);
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
  return { ref: e.ref, caseId: e.caseId, customerId: e.customerId, at: e.at };
}
