import { appendInbound } from '../ingest/inbound.log.js';
import { linkEchoes } from './channel.echo.js';
import { applyPendingMarks, applyWatermark, recordMarks } from './channel.marks.js';
import type { ParsedDelivery } from './channel.parsed.js';
import { recordEvent } from './channel.state.js';
import type { ChannelDeps } from './routes.js';

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  marks: number;
  ignored: number;
}

/**
 * Makes a verified delivery durable: messages into the inbound log (idempotent per channel and
 * external id), deletions and receipts into the marks table. The webhook answers only after this
 * resolved, so a provider that sees an error re-delivers and nothing is lost.
 */
export async function ingestDelivery(
  deps: ChannelDeps,
  channelId: string,
  parsed: ParsedDelivery,
): Promise<IngestSummary> {
  const now = deps.clock();
  await linkEchoes(deps.db, deps.workspaceId, parsed.messages);
  const appended = await appendInbound(
    deps.db,
    deps.workspaceId,
    parsed.messages.map((p) => p.message),
    now,
  );
  if (parsed.marks.length) await recordMarks(deps.db, deps.workspaceId, parsed.marks, now);
  else await applyPendingMarks(deps.db, deps.workspaceId, now);
  for (const w of parsed.watermarks) {
    await applyWatermark(deps.db, deps.workspaceId, { ...w, channelId });
  }
  await recordEvent(deps.db, deps.workspaceId, channelId, now);
  if (appended.accepted > 0) deps.onAppended();
  return {
    accepted: appended.accepted,
    duplicates: appended.duplicates,
    marks: parsed.marks.length + parsed.watermarks.length,
    ignored: parsed.ignored.length,
  };
}
