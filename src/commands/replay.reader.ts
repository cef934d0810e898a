import { statSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { channelIdProblem } from '../ingest/inbound.channels.js';
import { inboundNulProblem } from '../ingest/inbound.nul.js';
import { MAX_BATCH } from '../ingest/inbound.routes.js';
import {
  emptyMessageProblem,
  type InboundMessage,
  InboundMessageSchema,
} from '../ingest/inbound.schema.js';
import { sentAtUnbelievable } from '../ingest/inbound.time.js';
import { MAX_JSON_DEPTH, nestedTooDeeply } from '../platform/http/json-depth.js';
import { MAX_LINE_BYTES, replayFileLines } from './replay.lines.js';
import { forTerminal } from './terminal.js';

/** A message of a replay file with the line it was read from (named in later warnings). */
export interface LinedMessage {
  message: InboundMessage;
  line: number;
}

/** What a pass over a replay file counted besides its messages. */
export interface Tally {
  /** Lines that are not messages (said on stderr). */
  bad: number;
  /** Of `bad`, the lines refused for their `channelId` (checked only once the desk is open). */
  channels: number;
  /** The simulator's incident lines: ground truth for evaluations, skipped without a word. */
  incidents: number;
  zoneless: number;
  /** Lines taken whose bytes were not valid UTF-8 (read as U+FFFD), and the first few of them. */
  notUtf8: { count: number; lines: number[] };
  /** The first line that was not a message, and why. */
  first?: { line: number; why: string };
}

export const newTally = (): Tally => ({
  bad: 0,
  channels: 0,
  incidents: 0,
  zoneless: 0,
  notUtf8: { count: 0, lines: [] },
});

/** How many line numbers a warning names before "…". */
export const LINES_NAMED = 5;

export interface ReaderOptions {
  /** A second pass over a file already checked: what the first pass said is not said again. */
  quiet?: boolean;
  tally?: Tally;
  /**
   * The desk's channels (id → kind): a line whose `channelId` the inbound API would refuse is a
   * bad line, said even when `quiet` (the first pass runs before the desk is open, without them).
   */
  channels?: ReadonlyMap<string, string>;
}

/**
 * The messages of a replay file, one line at a time. Lines that are not messages are counted in
 * `tally.bad` and said on stderr (unless `quiet`, for a second pass over a file already checked).
 * A line is one body of `POST /api/v1/inbound`: a message, or a batch `{"messages": [...]}`,
 * taken or refused whole as the API takes or refuses it.
 */
export async function* replayMessages(
  file: string,
  opts: ReaderOptions,
): AsyncGenerator<LinedMessage> {
  const tally = opts.tally ?? newTally();
  let lineNo = 0;
  // Said with the path: a folder gave only "EISDIR: illegal operation on a directory".
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${file}: no such file`);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  const skip = (why: string, always = false) => {
    tally.bad++;
    tally.first ??= { line: lineNo, why };
    if (!opts.quiet || always)
      process.stderr.write(`line ${lineNo}: ${forTerminal(why)}, skipped\n`);
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
    const read1 = readLine(obj as Record<string, unknown>, tally);
    if ('why' in read1) {
      skip(read1.why);
      continue;
    }
    if (opts.channels) {
      const kinds = opts.channels;
      const problem = read1.messages
        .map((m, i) => ({ i, p: channelIdProblem(m, kinds) }))
        .find((x) => x.p);
      if (problem) {
        tally.channels++;
        skip(read1.batch ? `/messages/${problem.i} ${problem.p}` : problem.p!, true);
        continue;
      }
    }
    if (read.notUtf8 && tally.notUtf8.count++ < LINES_NAMED) tally.notUtf8.lines.push(lineNo);
    for (const message of read1.messages) yield { message, line: lineNo };
  }
}

/**
 * The messages of one line (an object), or why the inbound API would refuse it. A batch line is
 * refused whole when one of its messages is, as `POST /api/v1/inbound` refuses the whole request.
 */
function readLine(
  obj: Record<string, unknown>,
  tally: Tally,
): { messages: InboundMessage[]; batch: boolean } | { why: string } {
  // `channel` too: a message line with a field `messages` of its own is still a message line.
  if (!('messages' in obj) || 'channel' in obj) {
    const m = readMessage(obj, tally);
    return typeof m === 'string' ? { why: m } : { messages: [m], batch: false };
  }
  const list = obj.messages;
  if (!Array.isArray(list))
    return { why: '/messages of a batch line must be an array of messages' };
  if (list.length === 0) return { why: '/messages must hold at least one message' };
  if (list.length > MAX_BATCH) return { why: `/messages holds at most ${MAX_BATCH} messages` };
  const messages: InboundMessage[] = [];
  const zoneless = tally.zoneless;
  for (let i = 0; i < list.length; i++) {
    const m = readMessage(list[i], tally);
    if (typeof m === 'string') {
      // Refused whole: its times without a zone are not counted either.
      tally.zoneless = zoneless;
      return { why: `/messages/${i}${m.startsWith('/') ? '' : ' '}${m}` };
    }
    messages.push(m);
  }
  return { messages, batch: true };
}

/** One message in the inbound shape (fields it does not know dropped), or why it is not one. */
function readMessage(obj: unknown, tally: Tally): InboundMessage | string {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return 'not a JSON object';
  const msg = Value.Clean(InboundMessageSchema, structuredClone(obj)) as Record<string, unknown>;
  if (typeof msg.sentAt === 'string') {
    const t = withZone(msg.sentAt);
    if (t !== msg.sentAt) tally.zoneless++;
    msg.sentAt = t;
  }
  if (!Value.Check(InboundMessageSchema, msg)) {
    const e = Value.Errors(InboundMessageSchema, msg).First();
    return e ? `${e.path || '/'} ${readableError(e)}` : 'invalid';
  }
  // An identifier with a NUL is refused here, with its reason (text with one is kept as U+FFFD).
  const nul = inboundNulProblem(msg as InboundMessage);
  if (nul) return nul;
  // Nothing to read (no text, no attachment): refused as the inbound API refuses it.
  const empty = emptyMessageProblem(msg as InboundMessage);
  if (empty) return empty;
  // The inbound API's own reason: a line it would refuse is a bad line here too. (Lines ahead of
  // the clock are not: replay leaves them out when they fall due, counted apart.)
  const time = sentAtUnbelievable(msg.sentAt as string);
  if (time) return `/sentAt ${time}`;
  return msg as InboundMessage;
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
