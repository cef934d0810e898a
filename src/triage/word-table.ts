/**
 * A read-only word -> value table for the hot loops of triage (sentiment, negation, contractions,
 * language votes). Same answers as a Map<string, V>: a hit needs the exact word.
 *
 * Why not a Map: the words looked up are fresh strings cut from each message, and a Map look-up
 * of a fresh string (which V8 must hash first) measured several times dearer than one of an
 * already-hashed string: more than the rest of tokenising.
 * Here the key is our own FNV-1a hash (features.ts computes it for every word anyway) and open
 * addressing over typed arrays, with a string comparison only when the hashes agree.
 */

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a over a whole word, unsigned 32-bit: deterministic across runs and platforms. */
export function wordHash(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

export class WordTable<V> {
  /** Slot -> entry number + 1 (0: empty). Twice as many slots as entries keeps probes short. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly hashes: Uint32Array;
  private readonly words: string[] = [];
  private readonly values: V[] = [];

  /** Later entries for the same word replace earlier ones, as Map's constructor does. */
  constructor(entries: Iterable<readonly [string, V]>) {
    const unique = new Map(entries);
    let size = 8;
    while (size < unique.size * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Uint32Array(unique.size);
    for (const [word, value] of unique) {
      const h = wordHash(word);
      let i = h & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.hashes[this.words.length] = h;
      this.slots[i] = this.words.length + 1;
      this.words.push(word);
      this.values.push(value);
    }
  }

  get size(): number {
    return this.words.length;
  }

  get(word: string): V | undefined {
    return this.getHashed(word, wordHash(word));
  }

  /** `hash` must be wordHash(word). */
  getHashed(word: string, hash: number): V | undefined {
    let i = hash & this.mask;
    for (;;) {
      const e = this.slots[i] - 1;
      if (e < 0) return undefined;
      if (this.hashes[e] === hash && this.words[e] === word) return this.values[e];
      i = (i + 1) & this.mask;
    }
  }

  /** get(text.slice(start, end)) without making the slice; `hash` is wordHash of the slice. */
  getSlice(text: string, start: number, end: number, hash: number): V | undefined {
    let i = hash & this.mask;
    for (;;) {
      const e = this.slots[i] - 1;
      if (e < 0) return undefined;
      if (this.hashes[e] === hash && sameChars(this.words[e], text, start, end)) {
        return this.values[e];
      }
      i = (i + 1) & this.mask;
    }
  }

  has(word: string): boolean {
    return this.get(word) !== undefined;
  }
}

function sameChars(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let j = 0; j < word.length; j++) {
    if (word.charCodeAt(j) !== text.charCodeAt(start + j)) return false;
  }
  return true;
}
