/** Small, dependency-free statistics for the detector (Poisson tails, medians, modes). */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p): the chance that at least `k` of `n` complainers are in a place
 * that holds a share `p` of the customers. Summed upward in log space from the k-th term.
 */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  const lnChoose = lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
  const logFirst = lnChoose + k * Math.log(p) + (n - k) * Math.log(1 - p);
  let term = 1;
  let sum = 1;
  for (let i = k + 1; i <= n; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
    if (term < 1e-16 * sum) break;
  }
  return Math.min(1, Math.exp(logFirst) * sum);
}

/**
 * P(X ≥ k) for X ~ Poisson(λ): the chance of seeing at least `k` distinct complainers when the
 * baseline expects λ. Summed upward in log space so tiny tails (1e-12) stay accurate.
 */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k < lambda) {
    // Upper tail of a bulk value: 1 − CDF(k−1), summed downward.
    let term = Math.exp(-lambda);
    let cdf = term;
    for (let i = 1; i < k; i++) {
      term *= lambda / i;
      cdf += term;
    }
    return Math.max(0, 1 - cdf);
  }
  const logFirst = -lambda + k * Math.log(lambda) - lnGamma(k + 1);
  let term = 1;
  let sum = 1;
  for (let i = k + 1; i < k + 1000; i++) {
    term *= lambda / i;
    sum += term;
    if (term < 1e-16 * sum) break;
  }
  return Math.min(1, Math.exp(logFirst) * sum);
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * P(X ≥ k) when the baseline itself is uncertain: X ~ negative binomial with mean μ and
 * variance μ + μ²/r (a Poisson whose rate varies by a Gamma with shape r, i.e. a relative
 * spread of 1/√r). Small counts behave as Poisson; large ones need a real relative excess, so
 * a state-wide key with a slightly wrong baseline does not page anyone. r = ∞ is Poisson.
 */
export function overdispersedTail(k: number, mu: number, r: number): number {
  if (!Number.isFinite(r)) return poissonTail(k, mu);
  if (k <= 0) return 1;
  if (mu <= 0) return 0;
  // At or below the mean nothing is significant: the caller only cares about small tails.
  if (k <= mu) return 1;
  const p = r / (r + mu);
  const q = 1 - p;
  // log pmf(k) = lnΓ(k+r) − lnΓ(r) − lnΓ(k+1) + r ln p + k ln q; later terms by their ratio
  // ((x+r)/(x+1))·q, which falls with x: the tail is at most pmf(k) / (1 − ratio(k)).
  const logFirst = lnGamma(k + r) - lnGamma(r) - lnGamma(k + 1) + r * Math.log(p) + k * Math.log(q);
  let term = 1;
  let sum = 1;
  for (let x = k; x < k + 200; x++) {
    const ratio = ((x + r) / (x + 1)) * q;
    if (ratio >= 1) return 1;
    term *= ratio;
    sum += term;
    if (term < 1e-12 * sum) return Math.min(1, Math.exp(logFirst) * sum);
  }
  const ratio = ((k + 200 + r) / (k + 201)) * q;
  return Math.min(1, Math.exp(logFirst) * (sum + term / Math.max(1e-12, 1 - ratio)));
}

/** The commonest non-null value and how often it occurs (a tie goes to the value seen first). */
export function mode<T>(values: Iterable<T | null>): { value: T | null; count: number } {
  const n = new Map<T, number>();
  for (const v of values) if (v !== null) n.set(v, (n.get(v) ?? 0) + 1);
  let value: T | null = null;
  let count = 0;
  for (const [v, c] of n) {
    if (c > count) {
      value = v;
      count = c;
    }
  }
  return { value, count };
}
