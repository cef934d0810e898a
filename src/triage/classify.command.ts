/**
 * `throughline classify`: JSON lines in ({"text", "channel", "authorLocation"}), one JSON line
 * out per input line, in order. Streams line by line with back-pressure, so memory stays constant
 * however long the input; a bad line yields an error object on its own line and the run goes on.
 * Lines end at "\n" only (a "\r" before it is dropped; a lone "\r" is text), a UTF-8 byte-order
 * mark at the start is ignored, invalid UTF-8 reads as U+FFFD, and a line longer than
 * `MAX_LINE_BYTES` is answered with `line_too_long` without being held in memory. A consumer that
 * stops reading (`| head`) ends the run quietly.
 */

import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import { createTriage, onTheWire, type Triage } from './index.js';
import type { TriageInput } from './types.js';

/** What a malformed line produces instead of a triage result. */
export interface ClassifyLineError {
  error: {
    code: 'invalid_json' | 'invalid_input' | 'line_too_long';
    message: string;
    line: number;
  };
}

export function classifyLine(triage: Triage, line: string, lineNo: number): object {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return lineError('invalid_json', `line ${lineNo}: ${(e as Error).message}`, lineNo);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return lineError('invalid_input', `line ${lineNo}: expected a JSON object`, lineNo);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.text !== 'string') {
    return lineError('invalid_input', `line ${lineNo}: "text" must be a string`, lineNo);
  }
  for (const key of ['channel', 'authorLocation'] as const) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string') {
      return lineError('invalid_input', `line ${lineNo}: "${key}" must be a string`, lineNo);
    }
  }
  if (typeof v.channel === 'string' && !(CHANNEL_KINDS as readonly string[]).includes(v.channel)) {
    return lineError(
      'invalid_input',
      `line ${lineNo}: unknown channel "${v.channel}"; channels are ${CHANNEL_KINDS.join(', ')}`,
      lineNo,
    );
  }
  const input: TriageInput = { text: v.text };
  if (typeof v.channel === 'string') input.channel = v.channel;
  if (typeof v.authorLocation === 'string') input.authorLocation = v.authorLocation;
  return onTheWire(triage.classify(input));
}

function lineError(code: ClassifyLineError['error']['code'], message: string, line: number) {
  return { error: { code, message, line } } satisfies ClassifyLineError;
}

/** Longer input lines are refused (a message is far shorter; the inbound API takes 100k). */
export const MAX_LINE_BYTES = 1 << 20;

const TOO_LONG = Symbol('too long');

/**
 * The input's lines as strings, or TOO_LONG for a line over `max` bytes (its bytes are dropped
 * as they arrive, so one huge line costs no memory).
 */
async function* inputLines(
  input: AsyncIterable<Buffer | string>,
  max: number,
): AsyncGenerator<string | typeof TOO_LONG> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let first = true;
  const finish = (): string | typeof TOO_LONG => {
    if (tooLong) return TOO_LONG;
    let line = Buffer.concat(parts, size).toString('utf8');
    if (first && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const piece = buf.subarray(start, nl === -1 ? buf.length : nl);
      if (!tooLong && size + piece.length > max) {
        tooLong = true;
        parts = [];
      } else if (!tooLong) parts.push(piece);
      size += piece.length;
      if (nl === -1) break;
      yield finish();
      first = false;
      parts = [];
      size = 0;
      tooLong = false;
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) yield finish();
}

/**
 * The input as UTF-8 bytes. A file saved as UTF-16 (what Windows PowerShell's `>` writes) starts
 * with its byte-order mark; read as UTF-8 its newlines split in the middle of characters and
 * the output stopped answering the input line for line. Such input is transcoded as it streams.
 */
async function* asUtf8(input: NodeJS.ReadableStream): AsyncGenerator<Buffer | string> {
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let first = true;
  for await (const chunk of input) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (first) {
      first = false;
      if (buf[0] === 0xff && buf[1] === 0xfe) decoder = new TextDecoder('utf-16le');
      else if (buf[0] === 0xfe && buf[1] === 0xff) decoder = new TextDecoder('utf-16be');
      if (decoder) buf = buf.subarray(2);
    }
    yield decoder ? Buffer.from(decoder.decode(buf, { stream: true }), 'utf8') : buf;
  }
  if (decoder) yield Buffer.from(decoder.decode(), 'utf8');
}

export async function runClassifyCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  triage: Triage = createTriage(),
  maxLineBytes = MAX_LINE_BYTES,
): Promise<void> {
  // The reader went away (`| head -1`): stop, without an EPIPE crash.
  let gone = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') failure = err;
    gone = true;
    wake?.();
  };
  output.on('error', onError);
  try {
    let lineNo = 0;
    for await (const line of inputLines(asUtf8(input), maxLineBytes)) {
      lineNo++;
      // A blank line still gets its own output line, so output line N always answers input line N.
      const result =
        line === TOO_LONG
          ? lineError('line_too_long', `line ${lineNo}: longer than ${maxLineBytes} bytes`, lineNo)
          : line.trim() === ''
            ? lineError('invalid_input', `line ${lineNo}: empty line`, lineNo)
            : classifyLine(triage, line, lineNo);
      if (gone) break;
      const ok = output.write(`${JSON.stringify(result)}\n`);
      // Back-pressure: stop reading until the consumer has drained what we wrote.
      if (!ok && !gone)
        await new Promise<void>((resolve) => {
          wake = resolve;
          output.once('drain', resolve);
        });
      wake = null;
      if (gone) break;
    }
  } finally {
    output.off('error', onError);
  }
  if (failure) throw failure;
}
