/**
 * JSON Lines for simulator output, one event per line:
 *
 *   message:  {"channel":…,"externalId":…,…InboundMessage fields…,"truth":{…}}
 *   incident: {"type":"incident","incident":{…}}
 *
 * A message line is exactly the body `POST /api/v1/inbound` accepts plus a `truth` field, so a
 * replayer can send it after dropping `truth` (issue 6: extra fields ignored). Incident lines have
 * no `channel` and are recognised by `type`.
 */
import type { Writable } from 'node:stream';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import type { SimEvent, SimIncident, SimTruth } from './sim.types.js';

export function simEventToJson(event: SimEvent): string {
  if (event.type === 'incident')
    return JSON.stringify({ type: 'incident', incident: event.incident });
  return JSON.stringify({ ...event.message, truth: event.truth });
}

/** Parses one line written by {@link simEventToJson} (or a plain InboundMessage line). */
export function parseSimLine(
  line: string,
): SimEvent | { type: 'message'; message: InboundMessage; truth?: undefined } {
  const obj = JSON.parse(line) as Record<string, unknown>;
  if (obj.type === 'incident') return { type: 'incident', incident: obj.incident as SimIncident };
  const { truth, ...message } = obj;
  if (truth === undefined) return { type: 'message', message: message as InboundMessage };
  return { type: 'message', message: message as InboundMessage, truth: truth as SimTruth };
}

/** Writes events as JSON Lines, respecting back-pressure; resolves with the number of lines. */
export async function writeJsonl(
  events: Iterable<SimEvent> | AsyncIterable<SimEvent>,
  stream: Writable,
): Promise<number> {
  let lines = 0;
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const ok = stream.write(buffer);
    buffer = '';
    if (!ok) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  for await (const event of events) {
    buffer += `${simEventToJson(event)}\n`;
    lines++;
    // Batch small writes: one write per ~64 KiB instead of one per line.
    if (buffer.length >= 65_536) await flush();
  }
  await flush();
  return lines;
}
