import type { BatchState, PipelineSettings, Stage, StageContext } from '../types.js';

/** What the problem detector exposes to the pipeline (src/problems/runtime.ts). */
export interface DetectRunner {
  run(batch: BatchState, ctx: StageContext): Promise<void>;
  /**
   * Called before any stage: takes the locks the detector's writes need first, so the batch
   * takes them in the same order as everything else that writes problems (a person's change
   * locks the problem, then its cases), and the two never wait for each other in a cycle.
   */
  prepare?(ctx: StageContext): Promise<void>;
}

// Keyed by the worker's settings object, which every batch's context carries: an app attaches
// its detector to its own pipeline without a global, and a pipeline with none attached (bench,
// older tests) simply skips detection.
const runners = new WeakMap<PipelineSettings, DetectRunner>();

/** Attaches the problem detector to the pipeline that runs with these settings. */
export function attachDetector(settings: PipelineSettings, runner: DetectRunner): void {
  runners.set(settings, runner);
}

/**
 * Feeds the batch's classified, threaded messages to the problem detector, which counts
 * complaints, raises and links problems, and writes its decisions in the batch's transaction
 * (a few batched statements; nothing per message).
 */
export const detect: Stage = {
  name: 'detect',
  async run(batch: BatchState, ctx: StageContext) {
    const runner = runners.get(ctx.settings);
    if (runner) await runner.run(batch, ctx);
  },
};

/** Runs the attached detector's `prepare` (see DetectRunner), if any. */
export async function prepareDetect(ctx: StageContext): Promise<void> {
  await runners.get(ctx.settings)?.prepare?.(ctx);
}
