/** Area checks, throughput/memory and the effect of agents' corrections. */
import { readFileSync } from 'node:fs';
import { hashFeature } from '../../src/triage/features.js';
import { applyCorrections, createTriage, type Triage } from '../../src/triage/index.js';
import type { Area, Topic } from '../../src/triage/types.js';
import { type ComplaintRow, complaintF1 } from './complaints.js';
import { readSharedCsv } from './data.js';
import { type LabelledTweet, topicAccuracy } from './topics.js';

interface AreaCase {
  text: string;
  authorLocation?: string;
  expect: Partial<Area> | null;
}

export function reportArea(triage: Triage): void {
  const cases = JSON.parse(
    readFileSync(new URL('area-cases.json', import.meta.url), 'utf8'),
  ) as AreaCase[];
  let ok = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const got = triage.classify({ text: c.text, authorLocation: c.authorLocation }).area;
    const pass =
      c.expect === null
        ? got === null
        : got !== null && Object.entries(c.expect).every(([k, v]) => got[k as keyof Area] === v);
    if (pass) ok++;
    else
      failures.push(`  FAIL "${c.text}" / ${c.authorLocation ?? '-'}: got ${JSON.stringify(got)}`);
  }
  console.log(
    `\n== Area extraction: ${cases.length} cases written by us (eval/triage/area-cases.json)`,
  );
  console.log(`correct ${ok}/${cases.length}`);
  for (const f of failures) console.log(f);
}

export function reportSpeed(triage: Triage): void {
  const r = readSharedCsv('twcs/twcs_first5000.csv', { columns: true });
  const texts =
    'skip' in r
      ? ['my internet is down again in 94110', 'thanks for the help!', 'why was I charged twice?']
      : (r.rows as Record<string, string>[]).map((x) => x.text);
  for (const t of texts.slice(0, 2000)) triage.classify({ text: t }); // warm-up (JIT, lazy data)
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint();
    let n = 0;
    while (process.hrtime.bigint() - start < 1_000_000_000n) {
      for (let i = 0; i < 1000; i++) triage.classify({ text: texts[(n + i) % texts.length] });
      n += 1000;
    }
    rounds.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  const mem = process.memoryUsage();
  console.log(
    `\n== Speed: whole triage (all fields), one core, ${texts.length} real tweet texts cycled`,
  );
  console.log(
    `messages/s: ${rounds.map((x) => Math.round(x)).join(', ')} (3 one-second rounds); ` +
      `rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}

/**
 * Agents' corrections: half of our labelled telecom tweets (by id hash) play the corrections an
 * installation's agents would make; accuracy is measured on the other half before and after.
 * Same for complaint flags with the ACL dev half as corrections and its test half as held-out.
 */
export function reportCorrections(
  triage: Triage,
  tweets: readonly LabelledTweet[] | null,
  complaints: readonly ComplaintRow[] | null,
): void {
  console.log('\n== Learning from corrections (applyCorrections, held-out halves)');
  if (tweets) {
    const customer = tweets.filter((t) => t.topic !== 'agent');
    const train = customer.filter((t) => hashFeature(`c${t.id}`) % 2 === 0);
    const held = customer.filter((t) => hashFeature(`c${t.id}`) % 2 === 1);
    const before = topicAccuracy(triage, held).accuracy;
    const updated = createTriage(
      applyCorrections(
        triage.model,
        train.map((t) => ({ text: t.text, topic: t.topic as Topic })),
      ),
    );
    const after = topicAccuracy(updated, held).accuracy;
    console.log(
      `topic: ${train.length} corrections, held-out ${held.length}: accuracy ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
  } else console.log('topic: skipped (twcs absent)');
  if (complaints) {
    const train = complaints.filter((r) => r.half === 'dev');
    const held = complaints.filter((r) => r.half === 'test');
    const before = complaintF1(triage, held).macroF1;
    const updated = createTriage(
      applyCorrections(
        triage.model,
        train.map((r) => ({ text: r.text, complaint: r.complaint })),
      ),
    );
    const after = complaintF1(updated, held).macroF1;
    console.log(
      `complaint: ${train.length} corrections (ACL dev half), held-out test half ${held.length}: macro-F1 ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
  } else console.log('complaint: skipped (complaints-acl2019 absent)');
}
