/** Small, dependency-free classification metrics for the evaluation report. */

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function confusion(
  labels: readonly string[],
  gold: readonly string[],
  pred: readonly string[],
) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const m = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]);
    const p = index.get(pred[i]);
    if (g !== undefined && p !== undefined) m[g][p]++;
  }
  return m;
}

export function perClass(labels: readonly string[], matrix: number[][]): ClassReport[] {
  return labels.map((label, i) => {
    const tp = matrix[i][i];
    const support = matrix[i].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[i], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}

/** Macro-F1 over the classes that occur in the gold labels. */
export function macroF1(reports: readonly ClassReport[]): number {
  const present = reports.filter((r) => r.support > 0);
  return present.reduce((a, r) => a + r.f1, 0) / Math.max(1, present.length);
}

export function formatMatrix(labels: readonly string[], matrix: number[][]): string {
  const w = Math.max(8, ...labels.map((l) => l.length + 1));
  const head = `${'gold \\ pred'.padEnd(w + 3)}${labels.map((l) => l.padStart(w)).join('')}`;
  const rows = matrix.map(
    (row, i) => `${labels[i].padEnd(w + 3)}${row.map((n) => String(n).padStart(w)).join('')}`,
  );
  return [head, ...rows].join('\n');
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative
 * (ties count half). Threshold-free, so it compares models whose thresholds differ. Ranks with
 * tied scores share their mean rank (Mann–Whitney U); NaN when one class is absent.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((_s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (positive[order[k]]) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
