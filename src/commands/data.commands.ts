import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import { loadTwcs } from '../import/twcs.js';
import { type InboundMessage, InboundMessageSchema } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { Progress } from '../platform/progress.js';
import { parseSimLine, simulate, writeJsonl } from '../simulate/index.js';
import { withApp } from './context.js';

export async function importTwcsCommand(file: string) {
  const data = await loadTwcs(file, {
    onWarning: (w) => process.stderr.write(`warning: ${JSON.stringify(w)}\n`),
  });
  await withApp(async (app) => {
    const progress = new Progress('import twcs', data.messages.length);
    const res = await ingestStream(data.messages, {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: app.pipeline,
      progress,
    });
    const p = progress.done();
    process.stdout.write(
      `imported ${res.accepted} messages (${res.duplicates} already present, ${data.skipped} rows skipped) in ${p.seconds.toFixed(1)} s\n`,
    );
  });
}

export async function simulateCommand(opts: {
  scenario: string;
  seed: string;
  days?: string;
  start?: string;
  out?: string;
}) {
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const days = opts.days === undefined ? undefined : Number(opts.days);
  if (days !== undefined && !(days > 0)) throw new Error('--days must be a positive number');
  const events = simulate({ scenario: opts.scenario, seed, days, start: opts.start });
  if (opts.out) {
    const stream = createWriteStream(opts.out);
    const n = await writeJsonl(events, stream);
    process.stderr.write(`wrote ${n} events to ${opts.out}\n`);
    return;
  }
  // Without --out the traffic goes straight into the desk.
  await withApp(async (app) => {
    const progress = new Progress(`simulate ${opts.scenario}`);
    function* messages() {
      for (const e of events) if (e.type === 'message') yield e.message;
    }
    const res = await ingestStream(messages(), {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: app.pipeline,
      progress,
    });
    progress.done();
    process.stdout.write(
      `ingested ${res.accepted} simulated messages (${res.duplicates} duplicates)\n`,
    );
  });
}

/**
 * Reads a JSON-lines file of messages (plain InboundMessage lines, or simulator lines, whose
 * `truth` is dropped and whose incident lines are skipped), sorts them by event time and ingests
 * them through the same log and pipeline as live traffic.
 */
export async function replayCommand(file: string, opts: { speed: string }) {
  const speed = opts.speed === 'max' ? 'max' : Number(opts.speed);
  if (speed !== 'max' && !(speed > 0))
    throw new Error('--speed must be "max" or a positive factor');
  const messages: InboundMessage[] = [];
  let bad = 0;
  let lineNo = 0;
  const rl = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let parsed: ReturnType<typeof parseSimLine>;
    try {
      parsed = parseSimLine(line);
    } catch {
      bad++;
      process.stderr.write(`line ${lineNo}: not JSON, skipped\n`);
      continue;
    }
    // Incident lines carry ground truth for evaluations, not traffic.
    if (parsed.type === 'incident') continue;
    const msg: unknown = parsed.message;
    if (!Value.Check(InboundMessageSchema, msg)) {
      bad++;
      const e = Value.Errors(InboundMessageSchema, msg).First();
      process.stderr.write(
        `line ${lineNo}: ${e ? `${e.path} ${e.message}` : 'invalid'}, skipped\n`,
      );
      continue;
    }
    messages.push(msg);
  }
  // Event-time order (stable, so equal times keep file order). The whole file is held in memory;
  // a multi-million-line replay should be pre-sorted and streamed instead.
  messages.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
  await withApp(async (app) => {
    const progress = new Progress('replay', messages.length);
    const res = await ingestStream(messages, {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: app.pipeline,
      progress,
      speed,
    });
    const p = progress.done();
    process.stdout.write(
      `replayed ${res.accepted} messages (${res.duplicates} duplicates, ${bad} bad lines) in ${p.seconds.toFixed(1)} s\n`,
    );
  });
}
