import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/throughline.js`;
const MANIFEST = `${ROOT}.build/cli.inputs.json`;
// A source of every command (src/cli.ts imports it); touched, never changed.
const SOURCE = 'src/commands/terminal.ts';

const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });

/*
 * The CLI runs from a bundle of src/ (bin/cli-bundle.js), so a command starts without tsx loading
 * each module. There is no build step to forget: an edited source is in the next command's bundle.
 */
describe('the CLI bundle', () => {
  it('is rebuilt when a source it holds changed, and tsx runs the same CLI', () => {
    const first = run();
    expect(first.status).toBe(0);
    const seen = () => JSON.parse(readFileSync(MANIFEST, 'utf8')).inputs[SOURCE]?.mtimeMs;
    expect(seen()).toBe(statSync(`${ROOT}${SOURCE}`).mtimeMs);

    const later = new Date(statSync(`${ROOT}${SOURCE}`).mtimeMs + 1000);
    utimesSync(`${ROOT}${SOURCE}`, later, later);
    // (As the file system keeps it: its mtime in ms need not be the Date's to the last bit.)
    const touched = statSync(`${ROOT}${SOURCE}`).mtimeMs;
    expect(Math.abs(touched - later.getTime())).toBeLessThan(1);
    const again = run();
    expect(again.status).toBe(0);
    expect(seen()).toBe(touched);
    expect(again.stdout).toBe(first.stdout);

    // Built in another place (a copied checkout keeps mtimes): its sources' URLs are not ours.
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    writeFileSync(MANIFEST, JSON.stringify({ ...manifest, root: '/elsewhere' }));
    expect(run().status).toBe(0);
    const rebuilt = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    expect(rebuilt.root).toBe(ROOT.replace(/\/$/, ''));
    expect(existsSync(`${ROOT}.build/${rebuilt.bundle}`)).toBe(true);

    const viaTsx = run({ THROUGHLINE_NO_BUNDLE: '1' });
    expect(viaTsx.status).toBe(0);
    expect(viaTsx.stdout).toBe(first.stdout);
  });
});
