import { chainOf, type Entry } from './window.js';

/**
 * Each customer's first queued entry of one window (what `Counts.members` lists), kept up to
 * date as entries are added and evicted, so a question about a big window's distinct
 * complainers (the country's every complaint, a topic's country-wide key) need not read its
 * whole queue. `excessElsewhere` asked two such questions of windows of 3,000 and 12,000
 * customers for every complaint of a live local problem's topic naming a coarser place: a
 * sixth of the ingest bench's main thread (100,000 messages).
 *
 * A window builds one only when first asked (`Window.firsts`); positions are the window's
 * absolute ones (they survive its queue being compacted).
 */
export class FirstEntries {
  /** Customer → absolute position of their first queued entry. */
  readonly first = new Map<string, number>();
  /** Customer → absolute position of their last queued entry (where the next one is chained). */
  private readonly last = new Map<string, number>();
  /** Absolute position → that of the same customer's next queued entry. */
  private readonly next = new Map<number, number>();
  /** First entries that name an area. */
  named = 0;
  /**
   * The first entries that name an area, by their area chain (`chainOf`, one array per chain):
   * position → event time. A question about where they are asks once per place, not per entry.
   */
  readonly byChain = new Map<string[], Map<number, number>>();

  constructor(private readonly entryAt: (pos: number) => Entry) {}

  added(e: Entry, pos: number): void {
    const prev = this.last.get(e.customerId);
    if (prev === undefined) {
      this.first.set(e.customerId, pos);
      if (e.area) this.countPlaced(e, pos);
    } else this.next.set(prev, pos);
    this.last.set(e.customerId, pos);
  }

  /**
   * The entry at the queue's head left the window. It is its customer's first queued entry
   * (entries leave in queue order), so the customer's next one, if any, becomes their first.
   */
  evicted(e: Entry, pos: number): void {
    if (e.area) {
      this.named--;
      const chain = chainOf(e);
      const group = this.byChain.get(chain);
      group?.delete(pos);
      if (group?.size === 0) this.byChain.delete(chain);
    }
    const nxt = this.next.get(pos);
    if (nxt === undefined) {
      this.first.delete(e.customerId);
      this.last.delete(e.customerId);
      return;
    }
    this.next.delete(pos);
    this.first.set(e.customerId, nxt);
    const n = this.entryAt(nxt);
    if (n.area) this.countPlaced(n, nxt);
  }

  /** A queued entry that named no area was given one (a later message of its case named it). */
  placed(e: Entry, pos: number): void {
    if (this.first.get(e.customerId) === pos) this.countPlaced(e, pos);
  }

  private countPlaced(e: Entry, pos: number): void {
    this.named++;
    const chain = chainOf(e);
    let group = this.byChain.get(chain);
    if (!group) {
      group = new Map();
      this.byChain.set(chain, group);
    }
    group.set(pos, e.at);
  }

  /** The first entries, in no particular order. */
  *entries(): IterableIterator<Entry> {
    for (const pos of this.first.values()) yield this.entryAt(pos);
  }

  get size(): number {
    return this.first.size;
  }
}
