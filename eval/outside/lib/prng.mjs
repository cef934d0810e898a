// Seeded randomness for the generator: every scenario file must come out byte-identical
// from the same seed, so the set can be re-generated instead of shipped.

/** xmur3-style string hash, to turn "scenario name + seed" into a 32-bit state. */
function hashSeed(text) {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A small generator object (sfc32 core) with the helpers the generator needs. */
export function makeRng(seedText) {
  let a = hashSeed(`a:${seedText}`);
  let b = hashSeed(`b:${seedText}`);
  let c = hashSeed(`c:${seedText}`);
  let d = hashSeed(`d:${seedText}`);
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  const rng = {
    next,
    /** true with probability p */
    chance: (p) => next() < p,
    /** integer in [lo, hi] */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (lo, hi) => lo + next() * (hi - lo),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    /** pick from [[item, weight], ...] */
    weighted: (pairs) => {
      let total = 0;
      for (const [, w] of pairs) total += w;
      let r = next() * total;
      for (const [item, w] of pairs) {
        r -= w;
        if (r < 0) return item;
      }
      return pairs[pairs.length - 1][0];
    },
    /** log-uniform in [lo, hi]: sizes and durations spread over orders of magnitude */
    logUniform: (lo, hi) => Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))),
    exp: (mean) => -Math.log(1 - next()) * mean,
    /** Poisson draw; normal approximation for large means (exact enough for traffic counts). */
    poisson: (mean) => {
      if (mean <= 0) return 0;
      if (mean > 60) {
        const u = 1 - next();
        const v = next();
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        return Math.max(0, Math.round(mean + z * Math.sqrt(mean)));
      }
      const limit = Math.exp(-mean);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > limit);
      return k - 1;
    },
    digits: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += Math.floor(next() * 10);
      return s;
    },
    /** a child generator, so adding draws in one part does not shift every other part */
    fork: (label) => makeRng(`${seedText}/${label}`),
  };
  return rng;
}
