import { statSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { inboundNulProblem } from '../ingest/inbound.nul.js';
import { type InboundMessage, InboundMessageSchema } from '../ingest/inbound.schema.js';
import { sentAtUnbelievable } from '../ingest/inbound.time.js';
import { MAX_JSON_DEPTH, nestedTooDeeply } from '../platform/http/json-depth.js';
import { Progress } from '../platform/progress.js';
import { ingestBesideServer } from './beside-server.js';
import { withApp } from './context.js';
import { MAX_LINE_BYTES, replayFileLines } from './replay.lines.js';
import { forTerminal } from './terminal.js';

/**
 * `throughline replay <file.jsonl> --speed max|<factor>`: lines in the shape `POST /api/v1/inbound`
 * takes (fields it does not know, such as a simulator's `truth`, are dropped; incident lines of
 * the simulator are skipped), ingested in event-time order through the same log, pipeline and
 * detector as live traffic. When it returns, every event has been through the detector (or was
 * parked with its reason), so the problems can be read right after.
 *
 * Beside a running server the server's pipeline takes the events (`beside-server.ts`).
 */
export async function replayCommand(file: string, opts: { speed: string }) {
  const speed = opts.speed === 'max' ? 'max' : Number(opts.speed);
  if (speed !== 'max' && !(speed > 0))
    throw new Error('--speed must be "max" or a positive factor');
  // A first pass checks every line (its complaints printed once) and whether the file is in
  // event-time order. In order (as `simulate` writes it), the second pass streams: a file of
  // millions of lines needs no more memory than a chunk. Out of order, the messages are held in
  // memory and sorted (stable, so equal times keep file order).
  const scan = await scanReplayFile(file);
  const { bad, zoneless, count } = scan;
  if (zoneless > 0) process.stderr.write(`${zoneless} times without a zone were read as UTC\n`);
  if (count === 0) throw new Error(noMessage(file, scan));
  let messages: AsyncIterable<InboundMessage> | InboundMessage[];
  if (scan.inOrder) {
    messages = replayMessages(file, { quiet: true });
  } else {
    process.stderr.write(
      `${file} is not in event-time order: its ${count} messages are sorted in memory\n`,
    );
    const all = (await readReplayFile(file, { quiet: true })).messages;
    all.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
    messages = all;
  }
  await withApp(async (app) => {
    const progress = new Progress('replay', count);
    const { res, parked } = await ingestBesideServer(app, messages, { progress, speed });
    const p = progress.done();
    process.stdout.write(
      `replayed ${res.accepted} messages (${res.duplicates} duplicates, ${bad} bad lines${parked > 0 ? `, ${parked} parked: see \`throughline parked\`` : ''}) in ${p.seconds.toFixed(1)} s\n`,
    );
  });
}

/** How many lines of a replay file are messages, how many are not, and whether times ascend. */
async function scanReplayFile(file: string): Promise<Tally & { count: number; inOrder: boolean }> {
  const tally = newTally();
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  let inOrder = true;
  for await (const m of replayMessages(file, { tally })) {
    count++;
    const t = Date.parse(m.sentAt);
    if (t < last) inOrder = false;
    else last = t;
  }
  return { count, ...tally, inOrder };
}

/** The messages of a replay file, and how many lines were not messages (held in memory). */
export async function readReplayFile(
  file: string,
  opts: { quiet?: boolean } = {},
): Promise<{ messages: InboundMessage[]; bad: number; zoneless: number }> {
  const tally = newTally();
  const messages: InboundMessage[] = [];
  for await (const m of replayMessages(file, { ...opts, tally })) messages.push(m);
  return { messages, ...tally };
}

/**
 * The messages of a replay file, one line at a time. Lines that are not messages are counted in
 * `tally.bad` and said on stderr (unless `quiet`, for a second pass over a file already checked).
 */
async function* replayMessages(
  file: string,
  opts: { quiet?: boolean; tally?: Tally },
): AsyncGenerator<InboundMessage> {
  const tally = opts.tally ?? newTally();
  let lineNo = 0;
  // Said with the path: a folder gave only "EISDIR: illegal operation on a directory".
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${file}: no such file`);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  const skip = (why: string) => {
    tally.bad++;
    tally.first ??= { line: lineNo, why };
    if (!opts.quiet) process.stderr.write(`line ${lineNo}: ${forTerminal(why)}, skipped\n`);
  };
  for await (const read of replayFileLines(file)) {
    lineNo = read.lineNo;
    // A bad line like the others, whose bytes were never held (a 600 MB line crashed readline).
    if ('tooLong' in read) {
      skip(
        `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB (${MAX_LINE_BYTES} bytes, the most POST /api/v1/inbound takes)`,
      );
      continue;
    }
    const line = read.text;
    if (!line.trim()) continue;
    // Before anything walks it (structuredClone, the NUL scrub and storing it recurse).
    if (nestedTooDeeply(line)) {
      skip(`nested more than ${MAX_JSON_DEPTH} levels deep`);
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      skip('not JSON');
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      skip('not a JSON object');
      continue;
    }
    // Incident lines of the simulator carry ground truth for evaluations, not traffic.
    if ((obj as { type?: unknown }).type === 'incident') {
      tally.incidents++;
      tally.first ??= { line: lineNo, why: 'an incident line of the simulator' };
      continue;
    }
    const msg = Value.Clean(InboundMessageSchema, structuredClone(obj)) as Record<string, unknown>;
    if (typeof msg.sentAt === 'string') {
      const t = withZone(msg.sentAt);
      if (t !== msg.sentAt) tally.zoneless++;
      msg.sentAt = t;
    }
    if (!Value.Check(InboundMessageSchema, msg)) {
      const e = Value.Errors(InboundMessageSchema, msg).First();
      skip(e ? `${e.path || '/'} ${readableError(e)}` : 'invalid');
      continue;
    }
    // An identifier with a NUL is refused here, with its reason (text with one is kept as U+FFFD).
    const nul = inboundNulProblem(msg as InboundMessage);
    if (nul) {
      skip(nul);
      continue;
    }
    // The inbound API's own reason: a line it would refuse is a bad line here too. (Lines ahead of
    // the clock are not: replay leaves them out when they fall due, counted apart.)
    const time = sentAtUnbelievable(msg.sentAt as string);
    if (time) {
      skip(`/sentAt ${time}`);
      continue;
    }
    yield msg as InboundMessage;
  }
}

/** What a pass over a replay file counted besides its messages. */
interface Tally {
  /** Lines that are not messages (said on stderr). */
  bad: number;
  /** The simulator's incident lines: ground truth for evaluations, skipped without a word. */
  incidents: number;
  zoneless: number;
  /** The first line that was not a message, and why. */
  first?: { line: number; why: string };
}

const newTally = (): Tally => ({ bad: 0, incidents: 0, zoneless: 0 });

/**
 * Why a file with no message is refused: an empty file is not one full of lines that are not
 * messages (a file of the simulator's incident lines only said "has no lines").
 */
function noMessage(file: string, t: Tally): string {
  if (!t.first) return `${file} has no lines`;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const counts = [
    t.bad > 0 ? plural(t.bad, 'bad line') : '',
    t.incidents > 0 ? `${plural(t.incidents, 'incident line')} of the simulator` : '',
  ].filter(Boolean);
  return `no line of ${file} is a message (${counts.join(', ')}); the first, line ${t.first.line}: ${forTerminal(t.first.why)}`;
}

/**
 * A time written without a zone ("2025-03-04T10:00:00", Python's naive isoformat, or with a space
 * for the T) is read as UTC; the HTTP intake stays strict.
 */
function withZone(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/i.exec(t.trim());
  return m ? `${m[1]}T${m[2]}Z` : t;
}

/**
 * A schema error as a person can act on it: a value outside a set of words ("Expected union
 * value" for `channel`) names the words it may be.
 */
function readableError(e: { message: string; schema: unknown }): string {
  const options = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (options?.length && options.every((o) => typeof o.const === 'string'))
    return `must be one of: ${options.map((o) => o.const).join(', ')}`;
  return e.message;
}
