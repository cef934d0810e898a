import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractVectors, packageFile, readVectors, vectorsUrl } from './vectors.js';

/** A package file in wink's layout: 100 numbers, then the L2 norm and the index. */
function fakePackage(words: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tl-wink-'));
  const vectors: Record<string, number[]> = {};
  words.forEach((w, i) => {
    const v = Array.from({ length: 100 }, (_x, d) => Math.sin(i * 7 + d) * (d === 0 ? 2 : 0.5));
    vectors[w] = [...v, Math.hypot(...v), i];
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.9.9' }));
  const file = join(dir, 'wink.json');
  writeFileSync(
    file,
    JSON.stringify({ size: words.length, dimensions: 100, words, vectors, unkVector: [] }),
  );
  return file;
}

describe('the word-vector extract', () => {
  it('keeps the words our tokenizer can make, with their rank, int8 within one step', () => {
    const file = fakePackage(['the', ',', 'phone', "n't", '2017', 'bill']);
    try {
      const j = extractVectors(file);
      expect(j.words).toEqual(['the', 'phone', 'bill']);
      expect(j.ranks).toEqual([0, 2, 5]);
      expect(j.source).toContain('9.9.9');
      // Same package, same bytes: the committed extract is reproducible.
      expect(JSON.stringify(extractVectors(file))).toBe(JSON.stringify(j));
      const bytes = Buffer.from(j.vectors, 'base64');
      for (let d = 0; d < 100; d++) {
        const b = bytes[100 + d];
        const back = (b > 127 ? b - 256 : b) * j.scales[1];
        const v = Math.sin(2 * 7 + d) * (d === 0 ? 2 : 0.5);
        expect(Math.abs(back - v)).toBeLessThanOrEqual(j.scales[1] / 2 + 1e-9);
      }
    } finally {
      rmSync(file.replace(/[^/]+$/, ''), { recursive: true });
    }
  });

  it('is committed: 30,000 words of 100 dimensions, most frequent first', () => {
    const v = readVectors();
    expect(v.words.length).toBe(30_000);
    expect(v.dims).toBe(100);
    expect(v.words.slice(0, 3)).toEqual(['the', 'of', 'to']);
    expect(v.ranks[0]).toBe(0);
  });
});

// Parsing the 307 MB package takes 10-45 s and 1 GB, too much for every `npm test`: run it with
// THROUGHLINE_CHECK_VECTORS=1 after changing vectors.ts or the package's version.
describe.skipIf(!process.env.THROUGHLINE_CHECK_VECTORS || !packageFile())('the extract', () => {
  it('is exactly what the installed package gives', () => {
    const made = `${JSON.stringify(extractVectors(packageFile() as string))}\n`;
    expect(made === readFileSync(vectorsUrl(), 'utf8'), 'run `npm run train`').toBe(true);
  }, 300_000);
});
