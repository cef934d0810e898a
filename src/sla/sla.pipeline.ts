import type { BatchState, StageContext } from '../ingest/pipeline/types.js';

/** Starts and stops SLA clocks for the cases a batch touched (filled in below). */
export async function planSla(_batch: BatchState, _ctx: StageContext, _workspaceId: string) {}
