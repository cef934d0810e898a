/**
 * `throughline classify`: JSON lines in ({"text", "channel", "authorLocation"}), one JSON line
 * out per input line, in order. Streams line by line with back-pressure, so memory stays constant
 * however long the input; a bad line yields an error object on its own line and the run goes on.
 */

import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createTriage, type Triage } from './index.js';
import type { TriageInput } from './types.js';

/** What a malformed line produces instead of a triage result. */
export interface ClassifyLineError {
  error: { code: 'invalid_json' | 'invalid_input'; message: string; line: number };
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
  const input: TriageInput = { text: v.text };
  if (typeof v.channel === 'string') input.channel = v.channel;
  if (typeof v.authorLocation === 'string') input.authorLocation = v.authorLocation;
  return triage.classify(input);
}

function lineError(code: ClassifyLineError['error']['code'], message: string, line: number) {
  return { error: { code, message, line } } satisfies ClassifyLineError;
}

export async function runClassifyCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  triage: Triage = createTriage(),
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    // A blank line still gets its own output line, so output line N always answers input line N.
    const result =
      line.trim() === ''
        ? lineError('invalid_input', `line ${lineNo}: empty line`, lineNo)
        : classifyLine(triage, line, lineNo);
    const ok = output.write(`${JSON.stringify(result)}\n`);
    // Back-pressure: stop reading until the consumer has drained what we wrote.
    if (!ok) await once(output, 'drain');
  }
}
