/**
 * Where a key's excess began among its complainers (`Counts.linkable`). `since[i]` is the
 * background the key expects from member i's time to now (members oldest first). The onset is
 * the start of the Poisson change point: the member after which observed-vs-expected has the
 * largest likelihood ratio. Its members count as excess only when their share above that
 * background reaches `posterior`. The change point is noisy (it favours the densest tail), so
 * earlier members join too while those before the onset are, taken together, still more excess
 * than background. Returns the first member's index, or -1 when none is excess.
 */
export function excessOnset(since: number[], posterior: number): number {
  const count = since.length;
  let best = -1;
  let bestLlr = 0;
  for (let i = 0; i < count; i++) {
    const n = count - i;
    const e = since[i];
    if (n <= e) continue;
    const llr = n * Math.log(n / Math.max(e, 1e-9)) - (n - e);
    if (llr > bestLlr) {
      bestLlr = llr;
      best = i;
    }
  }
  if (best < 0) return -1;
  if ((count - best - since[best]) / (count - best) < posterior) return -1;
  for (let i = 0; i < best; i++) {
    const n = best - i;
    if ((n - (since[i] - since[best])) / n >= posterior) return i;
  }
  return best;
}
