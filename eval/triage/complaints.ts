/**
 * Complaint detection on complaints-acl2019 (Preoţiuc-Pietro et al., ACL 2019): 3,449 real tweets,
 * no header row, columns tweet_id, text, is_complaint, domain. Measured only, never trained on.
 * The rows are split in two halves by a hash of the tweet id: "dev" is the half we looked at while
 * choosing features and thresholds, "test" the half we did not; both are reported.
 */
import { hashFeature } from '../../src/triage/features.js';
import type { Triage } from '../../src/triage/index.js';
import { readSharedCsv } from './data.js';
import { confusion, formatMatrix, macroF1, perClass, rocAuc } from './metrics.js';

export interface ComplaintRow {
  id: string;
  text: string;
  complaint: boolean;
  domain: string;
  half: 'dev' | 'test';
}

export function loadComplaints(): ComplaintRow[] | string {
  const r = readSharedCsv('complaints-acl2019/complaints-data.csv', { columns: false });
  if ('skip' in r) return r.skip;
  return (r.rows as string[][]).map(([id, text, label, domain]) => ({
    id,
    text,
    complaint: label === '1',
    domain,
    half: hashFeature(id) % 2 === 0 ? 'dev' : 'test',
  }));
}

const LABELS = ['complaint', 'not'] as const;

export function complaintF1(triage: Triage, rows: readonly ComplaintRow[]) {
  const gold = rows.map((r) => (r.complaint ? 'complaint' : 'not'));
  const pred = rows.map((r) => (triage.classify({ text: r.text }).complaint ? 'complaint' : 'not'));
  const matrix = confusion(LABELS, gold, pred);
  const reports = perClass(LABELS, matrix);
  return { macroF1: macroF1(reports), matrix, reports, n: rows.length };
}

export function reportComplaints(triage: Triage, rows: readonly ComplaintRow[]): void {
  const all = complaintF1(triage, rows);
  console.log(`\n== Complaint detection: complaints-acl2019 (${rows.length} real tweets)`);
  console.log(
    `macro-F1 ${all.macroF1.toFixed(3)} (paper 0.79, fine-tuned transformers up to 0.88)`,
  );
  for (const r of all.reports) {
    console.log(
      `  ${r.label.padEnd(10)} P ${r.precision.toFixed(3)}  R ${r.recall.toFixed(3)}  F1 ${r.f1.toFixed(3)}  n ${r.support}`,
    );
  }
  console.log(formatMatrix([...LABELS], all.matrix));
  for (const half of ['dev', 'test'] as const) {
    const part = rows.filter((r) => r.half === half);
    const scores = part.map((r) => triage.classify({ text: r.text }).complaintScore);
    const auc = rocAuc(
      scores,
      part.map((r) => r.complaint),
    );
    console.log(
      `  ${half} half (${part.length}): macro-F1 ${complaintF1(triage, part).macroF1.toFixed(3)}, AUC ${auc.toFixed(3)}`,
    );
  }
  const domains = [...new Set(rows.map((r) => r.domain))].sort();
  const acc = domains.map((d) => {
    const part = rows.filter((r) => r.domain === d);
    const ok = part.filter(
      (r) => triage.classify({ text: r.text }).complaint === r.complaint,
    ).length;
    return `${d} ${(ok / part.length).toFixed(2)}`;
  });
  console.log(`  accuracy by domain: ${acc.join(', ')}`);
}
