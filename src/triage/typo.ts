/**
 * Misspelt words of a trouble phrase: "still dwn", "same prolbem still", "whole street lsot
 * internet". Customers type fast and angry; of the outside-style set's incident complaints that
 * triage missed, one in six was a short follow-up with one letter dropped, doubled, changed or
 * swapped. The short-text rule (short-trouble.ts) reads such a word as the phrase word it is one
 * edit from, but only a word that is no word of its own: `known` (the topic-words vocabulary, 30k
 * common words and common misspellings) keeps "last", "town" and "dawn" as they are.
 */

/** Shortest misspelling read, and shortest word it may stand for ("dwn" for "down"). */
const MIN_TYPO = 3;
const MIN_TARGET = 4;

/**
 * How a typed word `a` is one edit from the word `b` meant, most common slip first (a letter left
 * out, two swapped, one wrong, one too many: "sill" is "still" with a letter left out before it
 * is "bill" with one wrong), or 0 when it is not.
 */
export function editKind(a: string, b: string): 0 | 1 | 2 | 3 | 4 {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return 0;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return 2;
    return a.slice(i + 1) === b.slice(i + 1) ? 3 : 0;
  }
  // One letter left out of the typed word (1), or one too many in it (4).
  if (la < lb) return a.slice(i) === b.slice(i + 1) ? 1 : 0;
  return a.slice(i + 1) === b.slice(i) ? 4 : 0;
}

/** Reads misspellings against a fixed list of words (a rule's vocabulary). */
export class Speller {
  private readonly targets: string[];
  private readonly vocabulary: ReadonlySet<string>;

  constructor(vocabulary: Iterable<string>) {
    this.vocabulary = new Set(vocabulary);
    this.targets = [...this.vocabulary].filter(
      (w) => w.length >= MIN_TARGET && /^\p{L}+$/u.test(w),
    );
  }

  /**
   * The vocabulary's word `w` stands for: itself when it is one or a known word, else the word
   * one edit away by the most common slip (none, or two by the same slip: `w` as it is).
   */
  read(w: string, known: (w: string) => boolean): string {
    if (w.length < MIN_TYPO || this.vocabulary.has(w) || known(w)) return w;
    let found: string | null = null;
    let best = 5;
    let tied = false;
    for (const t of this.targets) {
      const kind = editKind(w, t);
      if (kind === 0 || kind > best) continue;
      tied = kind === best;
      best = kind;
      found = t;
    }
    return found !== null && !tied ? found : w;
  }
}
