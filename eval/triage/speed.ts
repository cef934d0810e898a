/**
 * Triage throughput on one core (the classify stage runs on the pipeline's thread), whole and by
 * part, on real tweet texts from twcs (read at run time). Used by `npm run eval -- triage` and
 * `npm run bench -- triage`. The load average is printed because a busy shared machine halves the
 * figure; compare runs on an idle machine.
 */
import { loadavg } from 'node:os';
import { describeMachine } from '../../bench/machine.js';
import { extractArea } from '../../src/triage/area.js';
import { analyse } from '../../src/triage/features.js';
import { createTriage, type Triage } from '../../src/triage/index.js';
import { detectLanguage } from '../../src/triage/language.js';
import { findPii } from '../../src/triage/pii.js';
import { spamFlags } from '../../src/triage/spam.js';
import { urgencySignals } from '../../src/triage/urgency.js';
import { readSharedCsv } from './data.js';

function texts(): string[] {
  const r = readSharedCsv('twcs/twcs_first5000.csv', { columns: true });
  return 'skip' in r
    ? ['my internet is down again in 94110', 'thanks for the help!', 'why was I charged twice?']
    : (r.rows as Record<string, string>[]).map((x) => x.text);
}

/** Messages per second of `fn` over the texts: best of `rounds` rounds of ~`ms` each. */
function rate(fn: (text: string) => unknown, all: readonly string[], rounds = 3, ms = 1000) {
  for (const t of all.slice(0, 2000)) fn(t); // warm-up (JIT, lazy data)
  const out: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const budget = BigInt(ms) * 1_000_000n;
    let n = 0;
    while (process.hrtime.bigint() - start < budget) {
      for (let i = 0; i < 500; i++) fn(all[(n + i) % all.length]);
      n += 500;
    }
    out.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return out;
}

export function reportSpeed(triage: Triage): void {
  const all = texts();
  const rounds = rate((text) => triage.classify({ text }), all);
  const mem = process.memoryUsage();
  console.log(
    `\n== Speed: whole triage (all fields), one core, ${all.length} real tweet texts cycled`,
  );
  console.log(
    `messages/s: ${rounds.map((x) => Math.round(x)).join(', ')} (3 one-second rounds); ` +
      `rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB; ` +
      `load average ${loadavg()[0].toFixed(2)}`,
  );
  const parts: [string, (text: string) => unknown][] = [
    ['features+sentiment', analyse],
    ['language', detectLanguage],
    ['area', (t) => extractArea(t, undefined)],
    ['pii', findPii],
    ['spam', spamFlags],
    ['urgency', urgencySignals],
  ];
  const line = parts.map(([name, fn]) => {
    const best = Math.max(...rate(fn, all, 2, 300));
    return `${name} ${(1e6 / best).toFixed(1)}`;
  });
  console.log(`  µs per message by part: ${line.join(', ')}`);
}

/** `npm run bench -- triage`. */
export async function runTriageBench(): Promise<void> {
  console.log(describeMachine());
  reportSpeed(createTriage());
}
