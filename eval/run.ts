/** `npm run eval [-- name]`: quality evaluations on real data; each prints its own report. */
const EVALS: Record<string, () => Promise<void>> = {
  triage: async () => (await import('./triage/index.js')).runTriageEval(),
  problems: async () => (await import('./problems/index.js')).runProblemsEval(),
};

export async function runEval(name?: string): Promise<void> {
  const names = name ? [name] : Object.keys(EVALS);
  for (const n of names) {
    const run = EVALS[n];
    if (!run)
      throw new Error(`unknown evaluation "${n}" (known: ${Object.keys(EVALS).join(', ')})`);
    process.stdout.write(`\n=== eval: ${n} ===\n`);
    await run();
  }
}
