import { runInMemory } from './memory.js';
import { combine, formatLine } from './metrics.js';
import { runThroughPipeline } from './pipeline.js';

const SEEDS = [1, 2, 3];
const DAYS = 28;

/**
 * `npm run eval -- problems`: the simulator's `week` scenario repeated over 28 days for several
 * seeds (7 incidents a week at four area levels, 8–90 complainers each, one with no known
 * topic), fed through the REAL triage (classify) into the same detector core the pipeline's
 * detect stage runs. A comparison line feeds ground-truth labels instead ("oracle triage").
 */
export async function runProblemsEval(): Promise<void> {
  const t0 = Date.now();
  const triage = combine(SEEDS.map((s) => runInMemory(s, DAYS)));
  process.stdout.write(
    `week scenario, seeds ${SEEDS.join(',')}, ${DAYS} days each (${triage.weeks} simulated weeks, ${triage.incidents} incidents)\n`,
  );
  process.stdout.write(`${formatLine('through real triage', triage)}\n`);
  const oracle = combine(SEEDS.map((s) => runInMemory(s, DAYS, { oracle: true })));
  process.stdout.write(`${formatLine('with oracle triage', oracle)}\n`);
  // The whole product for one seed: replayed into a fresh SQLite app, read from the database.
  const t1 = Date.now();
  const full = await runThroughPipeline(SEEDS[0], DAYS);
  process.stdout.write(
    `${formatLine(`full pipeline (seed ${SEEDS[0]})`, full)} | ${((Date.now() - t1) / 1000).toFixed(0)} s\n`,
  );
  const memOne = combine([runInMemory(SEEDS[0], DAYS)]);
  process.stdout.write(`${formatLine(`in memory (seed ${SEEDS[0]})`, memOne)}\n`);
  process.stdout.write(`missed (real triage): ${triage.missed.length}\n`);
  for (const m of triage.missed) process.stdout.write(`  ${m}\n`);
  process.stdout.write(
    `targets: recall ≥ 97 %, ≤ 1 false/week, median delay ≤ 10 min, F1 ≥ 0.90\n`,
  );
  process.stdout.write(`(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
