/**
 * The in-memory configurations (real and oracle triage over every seed) in a worker thread, so
 * they run beside the full-pipeline replay on a second core. Posts the metrics back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRealThreads } from './background.js';
import { runInMemory } from './memory.js';
import { combine, type RunMetrics } from './metrics.js';
import { addReplaced, emptyReplaced, type ReplacedCounts } from './real-text.js';
import { buildRun } from './source.js';
import { loadStream } from './stream.js';

export interface MemoryResults {
  triage: RunMetrics;
  oracle: RunMetrics;
  /** Real triage on the pipeline's seed alone, to compare with the pipeline line. */
  first: RunMetrics;
  /** Real triage with the incidents' opening complaints in real words (real-text.ts), if run. */
  realText: { m: RunMetrics; replaced: ReplacedCounts } | null;
  /** What was replayed, over every seed. */
  traffic: { sizes: number[]; messages: number; realMessages: number };
}

const { seeds, days, withReal, realText } = workerData as {
  seeds: number[];
  days: number;
  withReal: boolean;
  realText: boolean;
};
const loaded = withReal ? await loadRealThreads() : null;
const real = loaded && !('skip' in loaded) ? loaded : null;
const runs = seeds.map((s) => buildRun(s, days, real));
const perSeed = seeds.map((s) => runInMemory(s, days, real));
const results: MemoryResults = {
  triage: combine(perSeed),
  oracle: combine(seeds.map((s) => runInMemory(s, days, real, { oracle: true }))),
  first: perSeed[0],
  realText: realText
    ? {
        m: combine(seeds.map((s) => runInMemory(s, days, real, { realText: true }))),
        replaced: seeds
          .map((s) => loadStream(s, days, real, false, true).replaced ?? emptyReplaced())
          .reduce(addReplaced, emptyReplaced()),
      }
    : null,
  traffic: {
    sizes: runs.flatMap((r) => r.incidents.map((i) => i.expectedCustomers)),
    messages: runs.reduce((a, r) => a + r.messages.length, 0),
    realMessages: runs.reduce((a, r) => a + r.realMessages, 0),
  },
};
parentPort?.postMessage(results);
