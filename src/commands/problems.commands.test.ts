import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const CLI = readFileSync(new URL('../cli.ts', import.meta.url), 'utf8');

/**
 * QA: `problems list --json` prints one problem per line (as `parked`, `token list` and
 * `user list` do; test/cli.problems.test.ts checks each line against the API's items), while the
 * README said it printed "the API's shape", read as `{items, nextCursor}`.
 */
describe('problems list --json, as documented', () => {
  it('the README and --help say one problem per line, in the shape of the API’s items', () => {
    const row = README.split('\n').find((l) => l.startsWith('| `problems list'));
    expect(row).toBeDefined();
    expect(row).toMatch(/`--json`: one per line, each as an item of the API's `items`/);
    expect(row).not.toMatch(/the API's shape/);
    expect(CLI).toContain(
      `.option('--json', "one JSON object per line, in the API's problem shape")`,
    );
  });
});
