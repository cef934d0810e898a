import { Worker } from 'node:worker_threads';
import type { MemoryResults } from './memory.worker.js';

/**
 * Runs memory.worker.ts in a worker thread. The sources are TypeScript run through tsx, whose
 * loader is registered per thread, so the worker registers it before importing its entry.
 */
export function runMemoryInWorker(
  seeds: number[],
  days: number,
  withReal: boolean,
  realText = false,
): Promise<MemoryResults> {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./memory.worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, workerData: { seeds, days, withReal, realText } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (m: MemoryResults) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`in-memory eval worker exited with ${code}`));
    });
  });
}
