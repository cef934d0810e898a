/**
 * Misspelt words that put a place in a sentence: "all ovr Texas", "acoss california", "in
 * dwontown Chicago", "Boston ara", "whole staet of Florida". Customers type fast during an
 * outage, and these few words are what lets a place named alone be read as one (area-bare.ts,
 * area-qualified.ts). A word one edit from one of them (typo.ts, `editKind`) is read as it,
 * unless it is a word of its own ("cross", "ever", "are", "stage": those one edit from the
 * targets in triage's 30k-word vocabulary, listed below) or, for the two short targets that
 * stand only in a phrase, outside that phrase ("all ovr", "whole staet of").
 */
import { editKind } from './typo.js';

/** The words read through a slip, and what must come before the short ones. */
const TARGETS: readonly { word: string; after?: RegExp }[] = [
  { word: 'across' },
  { word: 'around' },
  { word: 'throughout' },
  { word: 'downtown' },
  { word: 'area' },
  { word: 'over', after: /\ball $/i },
  { word: 'state', after: /\b(?:whole|entire|the) $/i },
];

/** Words one edit from a target that are words (triage's 30k-word vocabulary, and "sate"). */
const REAL = new Set(
  `cross ever cover overs lover oven rover dover oder overt hover mover are areas arena aria
  areva states stage estate stated stake statue slate skate spate stade tate stats staten stave
  stare stat stale sate round ground aground abound`.split(/\s+/),
);

/**
 * A word of the length a slip of a target can have, starting as one does: a slip of the first
 * letter is rare, and most words of a message are then never looked at (this runs for most).
 */
const CANDIDATE_RE = /(?<![\w'’-])[AaDdOoSsTt][A-Za-z]{2,10}(?![\w'’-])/g;

/** The text with the place words it misspells spelled out; the text itself when there are none. */
export function withPlaceWordsSpelled(text: string): string {
  return text.replace(CANDIDATE_RE, (typed: string, at: number) => {
    const lower = typed.toLowerCase();
    if (REAL.has(lower)) return typed;
    for (const { word, after } of TARGETS) {
      if (editKind(lower, word) === 0) continue;
      if (after && !after.test(text.slice(Math.max(0, at - 8), at))) continue;
      return sameCase(typed, word);
    }
    return typed;
  });
}

/** `word` in the case `typed` was written in: "ACROSS", "Across" or "across". */
function sameCase(typed: string, word: string): string {
  if (typed === typed.toUpperCase()) return word.toUpperCase();
  if (typed[0] !== typed[0].toLowerCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}
