import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/platform/logging.js';

export interface CapturedLogs {
  /** The app's own logger (its redaction included), writing into memory. */
  logger: Logger;
  /** Every line written so far, as written. */
  text(): string;
  /** The lines written so far, parsed. */
  lines(): Record<string, unknown>[];
}

/**
 * Logs kept in memory, so a test can check what a failure really wrote: that the line is there
 * and that no secret is in it. pino writes to a stream synchronously, so a line is here as soon
 * as the call that logged it returns.
 */
export function captureLogs(level = 'warn'): CapturedLogs {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger(level, { destination: sink }),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
