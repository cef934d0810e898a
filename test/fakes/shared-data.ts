import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real third-party data in ../shared/data (never copied into the repo). Tests that need it
 * skip with a printed reason when it is absent (a user's clone); CI always has it.
 */
const root =
  process.env.THROUGHLINE_SHARED_DATA ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

export function sharedDataPath(...parts: string[]): string {
  return join(root, ...parts);
}

export function hasSharedData(...parts: string[]): boolean {
  const ok = existsSync(sharedDataPath(...parts));
  if (!ok) {
    console.log(
      `skipping: shared data ${sharedDataPath(...parts)} is absent (tests read it at run time)`,
    );
  }
  return ok;
}

/** The exact bytes of a data file (signature tests need them unchanged). */
export function readSharedText(...parts: string[]): string {
  return readFileSync(sharedDataPath(...parts), 'utf8');
}
