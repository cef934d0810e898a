/**
 * X's weighted post length (twitter-text v3 configuration, developer.x.com "Counting
 * characters"): text is NFC-normalised; every URL counts 23 (t.co wrapping); an emoji counts 2
 * whatever its code points (ZWJ sequences, flags, skin tones, keycaps); a code point in
 * U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or U+2032–U+2037 counts 1; any other (CJK, …)
 * counts 2. A post may weigh 280.
 *
 * We implement the documented rules instead of depending on the `twitter-text` package, whose last
 * release is from 2019. URL detection covers http(s):// and www. links, which is what agents
 * paste; a bare domain ("example.com") is counted by its characters, so the count can only be
 * higher than X's, never lower: a reply we accept is never refused for length.
 */
export const X_MAX_WEIGHTED_LENGTH = 280;
export const X_URL_WEIGHT = 23;

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const EMOJI_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const LIGHT: [number, number][] = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function codePointWeight(cp: number): number {
  for (const [lo, hi] of LIGHT) if (cp >= lo && cp <= hi) return 1;
  return 2;
}

export function xWeightedLength(text: string): number {
  const normal = text.normalize('NFC');
  let total = 0;
  let last = 0;
  const parts: string[] = [];
  for (const m of normal.matchAll(URL_RE)) {
    parts.push(normal.slice(last, m.index));
    total += X_URL_WEIGHT;
    last = m.index + m[0].length;
  }
  parts.push(normal.slice(last));
  for (const part of parts) {
    for (const { segment } of segmenter.segment(part)) {
      if (EMOJI_RE.test(segment)) {
        total += 2;
        continue;
      }
      for (const ch of segment) total += codePointWeight(ch.codePointAt(0)!);
    }
  }
  return total;
}
