/** Locating and reading ../shared/data for the triage evaluation (never copied into the repo). */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** ../shared/data relative to the repository root (this file is eval/triage/data.ts). */
export function sharedDataDir(): URL {
  return new URL('../../../shared/data/', import.meta.url);
}

/** Reads a CSV under shared data, or returns a reason to skip when the file is absent. */
export function readSharedCsv(
  relative: string,
  options: { columns: boolean },
): { rows: unknown[] } | { skip: string } {
  const url = new URL(relative, sharedDataDir());
  if (!existsSync(url)) return { skip: `${url.pathname} not found (shared data absent)` };
  const rows = parse(readFileSync(url), {
    columns: options.columns,
    relax_quotes: true,
    skip_empty_lines: true,
  }) as unknown[];
  return { rows };
}
