/**
 * The in-memory configurations (real and oracle triage over every seed) in a worker thread, so
 * they run beside the full-pipeline replay on a second core. Posts the metrics back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRealThreads } from './background.js';
import { runInMemory } from './memory.js';
import { combine, type RunMetrics } from './metrics.js';
import { buildRun } from './source.js';

export interface MemoryResults {
  triage: RunMetrics;
  oracle: RunMetrics;
  /** Real triage on the pipeline's seed alone, to compare with the pipeline line. */
  first: RunMetrics;
  /** What was replayed, over every seed. */
  traffic: { sizes: number[]; messages: number; realMessages: number };
}

const { seeds, days, withReal } = workerData as {
  seeds: number[];
  days: number;
  withReal: boolean;
};
const loaded = withReal ? await loadRealThreads() : null;
const real = loaded && !('skip' in loaded) ? loaded : null;
const runs = seeds.map((s) => buildRun(s, days, real));
const perSeed = seeds.map((s) => runInMemory(s, days, real));
const results: MemoryResults = {
  triage: combine(perSeed),
  oracle: combine(seeds.map((s) => runInMemory(s, days, real, { oracle: true }))),
  first: perSeed[0],
  traffic: {
    sizes: runs.flatMap((r) => r.incidents.map((i) => i.expectedCustomers)),
    messages: runs.reduce((a, r) => a + r.messages.length, 0),
    realMessages: runs.reduce((a, r) => a + r.realMessages, 0),
  },
};
parentPort?.postMessage(results);
