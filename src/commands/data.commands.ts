import { createWriteStream } from 'node:fs';
import { loadTwcs } from '../import/twcs.js';
import { Progress } from '../platform/progress.js';
import { simulate, writeJsonl } from '../simulate/index.js';
import { ingestBesideServer } from './beside-server.js';
import { withApp } from './context.js';
import { jsonLine } from './terminal.js';

export async function importTwcsCommand(file: string) {
  const data = await loadTwcs(file, {
    onWarning: (w) => process.stderr.write(`warning: ${jsonLine(w)}\n`),
  });
  // As replay fails when no line is a message: an import that would take nothing is a mistake
  // (the wrong file, a broken export), not a success that imported 0.
  if (data.messages.length === 0)
    throw new Error(
      data.skipped > 0
        ? `no row of ${file} is a tweet (${data.skipped} rows skipped)`
        : `${file} has no rows`,
    );
  await withApp(async (app) => {
    const progress = new Progress('import twcs', data.messages.length);
    // History, not live work: the cases it opens land resolved, out of agents' queues and SLA
    // reports (`inbound_events.history`); a later live message reopens or opens as usual.
    const { res, parked } = await ingestBesideServer(app, data.messages, {
      progress,
      history: true,
    });
    const p = progress.done();
    process.stdout.write(
      `imported ${res.accepted} messages (${res.duplicates} already present, ${data.skipped} rows skipped${parkedNote(parked)}) in ${p.seconds.toFixed(1)} s\n`,
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
    // A path that cannot be written (no such folder, no permission, a full disk) is the
    // command's error, said in one line, not an unhandled stream error with a stack trace.
    const failed = new Promise<never>((_, reject) =>
      stream.once('error', (err) => reject(new Error(`cannot write ${opts.out}: ${err.message}`))),
    );
    const written = (async () => {
      const n = await writeJsonl(events, stream);
      await new Promise<void>((resolve) => stream.end(resolve));
      return n;
    })();
    const n = await Promise.race([written, failed]);
    process.stderr.write(`wrote ${n} events to ${opts.out}\n`);
    return;
  }
  // Without --out the traffic goes straight into the desk.
  await withApp(async (app) => {
    const progress = new Progress(`simulate ${opts.scenario}`);
    function* messages() {
      for (const e of events) if (e.type === 'message') yield e.message;
    }
    const { res, parked } = await ingestBesideServer(app, messages(), { progress });
    progress.done();
    process.stdout.write(
      `ingested ${res.accepted} simulated messages (${res.duplicates} duplicates${parkedNote(parked)})\n`,
    );
  });
}

const parkedNote = (n: number) => (n > 0 ? `, ${n} parked: see \`throughline parked\`` : '');
