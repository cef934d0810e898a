/**
 * Text features for problems no topic names: content terms (for burst detection, a TF-IDF view:
 * a term whose share of complaints jumps far above its usual document frequency) and MinHash
 * signatures over word shingles (for how tight a cluster of complaints is, and for linking new
 * complaints to a text problem).
 */

const STOP = new Set(
  `about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could did didn do does doesn doing don down during each
few for from further get got had has have having he her here hers him his how i if in into is isn
it its itself just me more most my myself no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this
those through to too under until up very was wasn we were what when where which while who whom why
will with won would you your yours yourself please thanks thank help still since today yesterday
morning evening night hour hours minutes again anyone know going really like just even need what's
it's i'm can't don't won't doesn't isn't that's there's what hello hi hey guys team customer service
ever never every always because fix fixed working work works worked time been being since problem
issue issues minute hour week month year second third last first`.split(/\s+/),
);

/**
 * Channel boilerplate that is not the customer's words: a bracketed label a channel or an
 * integration puts first ("[Voicemail transcript]", "[Call summary]", "[In-app feedback]").
 * Left in, it would make its words look like the commonest trouble of all.
 */
const LABEL = /^\s*(?:[^\n[]{0,20})?\[[^\]\n]{1,40}\]\s*/;

export function tokens(text: string): string[] {
  const out: string[] = [];
  const body = text.replace(LABEL, '');
  for (const raw of body.toLowerCase().match(/[a-z][a-z']+/g) ?? []) {
    const w = raw.replace(/'s$/, '').replace(/'/g, '');
    if (w.length < 3) continue;
    out.push(w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  }
  return out;
}

/** Distinct content terms of a complaint (at most `max`), the unit of burst detection. */
export function contentTerms(text: string, max = 16): string[] {
  const seen = new Set<string>();
  for (const t of tokens(text)) {
    if (t.length < 4 || STOP.has(t)) continue;
    seen.add(t);
    if (seen.size >= max) break;
  }
  return [...seen];
}

const K = 64;
const SEEDS = Array.from(
  { length: K },
  (_, i) => (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0,
);

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** MinHash signature (64 values) over the text's content terms and word bigrams. */
export function minhash(text: string): Uint32Array {
  const words = tokens(text).filter((w) => !STOP.has(w));
  const shingles = new Set<string>(words);
  for (let i = 0; i + 1 < words.length; i++) shingles.add(`${words[i]} ${words[i + 1]}`);
  const sig = new Uint32Array(K).fill(0xffffffff);
  for (const s of shingles) {
    const h = fnv1a(s);
    for (let k = 0; k < K; k++) {
      const v = mix(h, SEEDS[k]);
      if (v < sig[k]) sig[k] = v;
    }
  }
  return sig;
}

/** Estimated Jaccard similarity of the two shingle sets. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let k = 0; k < K; k++) if (a[k] === b[k] && a[k] !== 0xffffffff) same++;
  return same / K;
}

/** Mean similarity of each member to its best-connected member (a cheap medoid tightness). */
export function tightness(sigs: Uint32Array[]): number {
  if (sigs.length < 2) return 0;
  const sample = sigs.slice(-40);
  let best = 0;
  for (const a of sample) {
    let sum = 0;
    for (const b of sample) if (a !== b) sum += similarity(a, b);
    best = Math.max(best, sum / (sample.length - 1));
  }
  return best;
}

/**
 * How alike two groups of complaints read: each of (up to 20 of) `a`'s members' similarity to
 * its closest in (up to 40 of) `b`, averaged. One trouble's complaints, whatever topic triage gave
 * them, share words; two troubles that merely coincide do not.
 */
export function kinship(a: Uint32Array[], b: Uint32Array[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const as = a.slice(-20);
  const bs = b.slice(-40);
  let sum = 0;
  for (const x of as) {
    let best = 0;
    for (const y of bs) best = Math.max(best, similarity(x, y));
    sum += best;
  }
  return sum / as.length;
}
