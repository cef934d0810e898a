/**
 * franc's answer, `franc(text, { minLength, only })`, computed from franc's own data but with the
 * work that does not depend on the text done once (the tests compare the two on many texts).
 *
 * franc (6.2.0) picks the script with the largest share of the text's characters, then the
 * language of that script whose trigram profile is nearest to the text's trigrams: a profile is
 * franc's ~300 trigrams of the language ranked by frequency, and the distance adds, per distinct
 * trigram of the text, |count - rank - 1|, or 300 if the profile lacks it. Per call franc filtered
 * its ~250 Latin-script languages against our list, turned every trigram into a string and looked
 * it up in each language's profile object: ~100 µs, the largest cost of the language field. Here
 * the profiles of our languages are merged once into one map (trigram -> rank per language), and
 * a text's trigrams are numbers, counted by sorting.
 */
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';

/** franc's constants: longest text looked at, distance of a trigram missing from a profile. */
const MAX_LENGTH = 2048;
const MAX_DIFFERENCE = 300;

const SCRIPTS = Object.entries(expressions);

/**
 * How many times each script's expression matches in `value`, as franc counts them with
 * value.match(expression). Every alternative of franc's expressions is one character class or
 * a surrogate pair, so without surrogates a match is exactly one code unit that its class
 * accepts; those counts come from a per-code-unit table (filled as code units are first seen)
 * instead of 30 regex scans that each build an array of matches. Text with surrogates (emoji,
 * some CJK) takes franc's way.
 */
function scriptCounts(value: string): Int32Array {
  counts.fill(0);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return scriptCountsByRegex(value);
    let mask = scriptMask[c];
    if (mask === UNKNOWN) mask = scriptMask[c] = maskOf(String.fromCharCode(c));
    for (let k = 0; mask !== 0; k++, mask >>>= 1) if (mask & 1) counts[k]++;
  }
  return counts;
}

const counts = new Int32Array(SCRIPTS.length);
/** Code unit -> bit k set if SCRIPTS[k]'s expression accepts it; UNKNOWN until first seen. */
const UNKNOWN = -1;
const scriptMask = new Int32Array(0x10000).fill(UNKNOWN);
const ONE_CHAR = SCRIPTS.map(([, re]) => new RegExp(`^(?:${re.source})$`));
if (SCRIPTS.length > 31) throw new Error('trigram-language: more scripts than mask bits');

function maskOf(unit: string): number {
  let mask = 0;
  for (let k = 0; k < ONE_CHAR.length; k++) if (ONE_CHAR[k].test(unit)) mask |= 1 << k;
  return mask;
}

function scriptCountsByRegex(value: string): Int32Array {
  for (let k = 0; k < SCRIPTS.length; k++) counts[k] = value.match(SCRIPTS[k][1])?.length ?? 0;
  return counts;
}

interface ScriptProfiles {
  /** Our languages written in this script, in franc's data order (which breaks ties). */
  languages: string[];
  /** Trigram code -> rank in each language's profile, -1 when absent. */
  ranks: Map<number, Int16Array>;
}

/** Three UTF-16 code units as one exact number (48 bits). */
function trigramCode(s: string, at: number): number {
  return s.charCodeAt(at) * 2 ** 32 + s.charCodeAt(at + 1) * 2 ** 16 + s.charCodeAt(at + 2);
}

function profilesOf(languages: Record<string, string>, only: ReadonlySet<string>): ScriptProfiles {
  const ours = Object.keys(languages).filter((lang) => only.has(lang));
  const ranks = new Map<number, Int16Array>();
  ours.forEach((lang, l) => {
    const trigrams = languages[lang].split('|');
    // As franc builds its profile: the first (lowest) rank of a repeated trigram wins.
    for (let rank = trigrams.length - 1; rank >= 0; rank--) {
      const code = trigramCode(trigrams[rank], 0);
      let row = ranks.get(code);
      if (!row) {
        row = new Int16Array(ours.length).fill(-1);
        ranks.set(code, row);
      }
      row[l] = rank;
    }
  });
  return { languages: ours, ranks };
}

/** franc's text cleaning (trigram-utils 2.0.1): ASCII punctuation and digits become spaces. */
function cleaned(value: string): string {
  return value
    .replace(/[\u0021-\u0040]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A detector equal to `franc(text, { minLength, only })` (ISO 639-3 code, or "und"). */
export function trigramLanguageDetector(
  only: readonly string[],
  minLength: number,
): (text: string) => string {
  const allowed = new Set(only);
  const profiles = new Map<string, ScriptProfiles>();
  for (const [script, languages] of Object.entries(data)) {
    profiles.set(script, profilesOf(languages, allowed));
  }
  let distance = new Int32Array(0);
  return (text: string): string => {
    if (!text || text.length < minLength) return 'und';
    const value = text.slice(0, MAX_LENGTH);
    const counts = scriptCounts(value);
    let top: string | undefined;
    let topShare = -1;
    for (let k = 0; k < SCRIPTS.length; k++) {
      const share = counts[k] / value.length || 0;
      if (share > topShare) {
        topShare = share;
        top = SCRIPTS[k][0];
      }
    }
    const script = top === undefined ? undefined : profiles.get(top);
    if (top === undefined || script === undefined) {
      // A script with one language (Thai, Korean...) names the language itself.
      return top === undefined || topShare === 0 || !allowed.has(top) ? 'und' : top;
    }
    const n = script.languages.length;
    if (n === 0) return 'und';
    if (distance.length < n) distance = new Int32Array(n);
    distance.fill(0, 0, n);
    const padded = ` ${cleaned(value)} `;
    const codes = new Float64Array(Math.max(0, padded.length - 2));
    for (let i = 0; i < codes.length; i++) codes[i] = trigramCode(padded, i);
    codes.sort();
    for (let i = 0; i < codes.length; ) {
      let j = i + 1;
      while (j < codes.length && codes[j] === codes[i]) j++;
      const count = j - i;
      // A trigram in none of the profiles adds the same 300 to every language, which cannot
      // change which is nearest, so it is skipped.
      const row = script.ranks.get(codes[i]);
      if (row) {
        for (let l = 0; l < n; l++) {
          const rank = row[l];
          distance[l] += rank < 0 ? MAX_DIFFERENCE : Math.abs(count - rank - 1);
        }
      }
      i = j;
    }
    // The nearest profile; franc's stable sort keeps the earlier language on a tie.
    let best = 0;
    for (let l = 1; l < n; l++) if (distance[l] < distance[best]) best = l;
    return script.languages[best];
  };
}
