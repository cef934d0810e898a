/** `npm run bench [-- name]`: performance figures with the machine; nothing is asserted. */
const BENCHES: Record<string, () => Promise<void>> = {
  ingest: async () => (await import('./ingest.bench.js')).runIngestBench(),
  reads: async () => (await import('./reads.bench.js')).runReadsBench(),
  triage: async () => (await import('../eval/triage/speed.js')).runTriageBench(),
  'x-storm': async () => (await import('../src/channels/x/x.storm.bench.js')).runXStormBench(),
};

export async function runBench(name?: string): Promise<void> {
  const names = name ? [name] : Object.keys(BENCHES);
  for (const n of names) {
    const run = BENCHES[n];
    if (!run)
      throw new Error(`unknown benchmark "${n}" (known: ${Object.keys(BENCHES).join(', ')})`);
    process.stdout.write(`\n=== bench: ${n} ===\n`);
    await run();
  }
}
