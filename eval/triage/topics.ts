/**
 * Topic accuracy on real telecom tweets: the customer messages of
 * twcs/twcs_first5000_telecom_threads.csv, labelled by us (labels/twcs-telecom-topics.csv holds
 * tweet id -> topic, language; never the texts). Brand posts and agents' replies that twcs marks
 * inbound are labelled "agent" and left out. Also: twcs-labelled-risk, whose labels we map to ours
 * where the mapping is honest.
 */
import { readFileSync } from 'node:fs';
import type { Triage } from '../../src/triage/index.js';
import { TOPICS } from '../../src/triage/types.js';
import { readSharedCsv } from './data.js';
import { confusion, formatMatrix, macroF1, perClass } from './metrics.js';

export interface LabelledTweet {
  id: string;
  text: string;
  topic: string;
  language: string;
}

export function loadTelecomTweets(): LabelledTweet[] | string {
  const r = readSharedCsv('twcs/twcs_first5000_telecom_threads.csv', { columns: true });
  if ('skip' in r) return r.skip;
  const text = new Map<string, string>();
  for (const row of r.rows as Record<string, string>[]) text.set(row.tweet_id, row.text);
  const labels = readFileSync(new URL('labels/twcs-telecom-topics.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const out: LabelledTweet[] = [];
  for (const [id, topic, language] of labels) {
    const t = text.get(id);
    if (t !== undefined) out.push({ id, text: t, topic, language });
  }
  return out;
}

export function topicAccuracy(triage: Triage, tweets: readonly LabelledTweet[]) {
  const gold = tweets.map((t) => t.topic);
  const pred = tweets.map((t) => triage.classify({ text: t.text }).topic as string);
  const ok = gold.filter((g, i) => g === pred[i]).length;
  return { accuracy: ok / Math.max(1, gold.length), gold, pred };
}

export function reportTopics(triage: Triage, tweets: readonly LabelledTweet[]): void {
  const customer = tweets.filter((t) => t.topic !== 'agent');
  const { accuracy, gold, pred } = topicAccuracy(triage, customer);
  console.log(
    `\n== Topic: twcs telecom threads, ${customer.length} customer tweets labelled by us (${tweets.length - customer.length} brand/agent rows left out)`,
  );
  console.log(`accuracy ${accuracy.toFixed(3)}`);
  const matrix = confusion(TOPICS, gold, pred);
  const reports = perClass(TOPICS, matrix);
  console.log(`macro-F1 ${macroF1(reports).toFixed(3)}`);
  for (const r of reports) {
    console.log(
      `  ${r.label.padEnd(9)} P ${r.precision.toFixed(2)}  R ${r.recall.toFixed(2)}  F1 ${r.f1.toFixed(2)}  n ${r.support}`,
    );
  }
  console.log(formatMatrix(TOPICS, matrix));
  const majority = gold.filter((g) => g === 'other').length / gold.length;
  console.log(`  (baseline "always other": ${majority.toFixed(3)})`);
}

// twcs-labelled-risk labels -> the topics that count as correct. "technical" covers several of
// ours, so any of them is accepted; "legal" has no counterpart and is left out.
const RISK_MAP: Record<string, string[]> = {
  pricing: ['billing'],
  account: ['account'],
  delivery: ['delivery'],
  service: ['service'],
  technical: ['network', 'outage', 'device', 'service'],
  other: ['other', 'praise'],
  'account + service': ['account', 'service'],
};

export function reportRiskSample(triage: Triage): void {
  const r = readSharedCsv('twcs-labelled-risk/labeled_sample_200.csv', { columns: true });
  console.log('\n== Topic: twcs-labelled-risk (labels made by its authors, mapped to ours)');
  if ('skip' in r) {
    console.log(`skipped: ${r.skip}`);
    return;
  }
  const rows = r.rows as Record<string, string>[];
  const labelled = rows.filter((x) => x.label?.trim());
  const mapped = labelled.filter((x) => RISK_MAP[x.label.trim()]);
  let ok = 0;
  const byLabel = new Map<string, [number, number]>();
  for (const x of mapped) {
    const label = x.label.trim();
    const hit = RISK_MAP[label].includes(triage.classify({ text: x.text }).topic);
    if (hit) ok++;
    const b = byLabel.get(label) ?? [0, 0];
    b[0]++;
    if (hit) b[1]++;
    byLabel.set(label, b);
  }
  console.log(
    `coverage: ${labelled.length} of ${rows.length} rows carry a label, ${mapped.length} map to our topics`,
  );
  console.log(`accuracy on mapped rows ${(ok / Math.max(1, mapped.length)).toFixed(3)}`);
  console.log(`  ${[...byLabel].map(([l, [n, c]]) => `${l} ${c}/${n}`).join(', ')}`);
}

export function reportLanguage(triage: Triage, tweets: readonly LabelledTweet[]): void {
  const gold = tweets.map((t) => t.language);
  const pred = tweets.map((t) => triage.classify({ text: t.text }).language);
  const ok = gold.filter((g, i) => g === pred[i]).length;
  const labels = [...new Set([...gold, ...pred])].sort();
  console.log(`\n== Language: the same ${tweets.length} twcs tweets, labelled by us`);
  console.log(`accuracy ${(ok / tweets.length).toFixed(3)}`);
  console.log(formatMatrix(labels, confusion(labels, gold, pred)));
}
