/**
 * Optional embeddings (THROUGHLINE_LLM_EMBEDDING_MODEL): an unsure topic the chat model did not
 * decide is given the topic of the nearest example by cosine similarity. The examples are a fixed
 * set of sentences we wrote (the first slot-free lines of each `data/triage/templates/*.topic.txt`)
 * plus the installation's agents' topic corrections, so a correction counts at once for messages
 * worded like it. Each example is embedded once and kept in memory (by its masked text); only new
 * corrections are embedded later. Personal data is masked before any text leaves the process.
 * Best-effort like the rest of the LLM's use: any error means "no opinion".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { maskPii as mask } from './assist.js';
import type { LlmClient } from './llm.js';
import { TOPICS, type Topic } from './types.js';

/** Written sentences per topic: enough to cover each topic's main kinds, one request in all. */
const PER_TOPIC = 12;
/** Vectors kept in memory; past it the oldest go (the written sentences are asked again). */
const MAX_CACHED = 5_000;
/** Inputs per embeddings request (OpenAI takes up to 2,048). */
const BATCH = 256;

export interface TopicExample {
  text: string;
  topic: Topic;
}

/** The first PER_TOPIC slot-free sentences of each topic's training file, in file order. */
export function writtenExamples(
  dir: URL = new URL('../../data/triage/templates/', import.meta.url),
): TopicExample[] {
  const out: TopicExample[] = [];
  const count = new Map<Topic, number>();
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.topic.txt')) continue;
    for (const line of readFileSync(new URL(name, dir), 'utf8').split('\n')) {
      const m = /^[CN] (\w+) (.+)$/.exec(line.trim());
      if (!m || m[2].includes('{') || !(TOPICS as readonly string[]).includes(m[1])) continue;
      const topic = m[1] as Topic;
      const n = count.get(topic) ?? 0;
      if (n >= PER_TOPIC) continue;
      count.set(topic, n + 1);
      out.push({ text: m[2], topic });
    }
  }
  return out;
}

export class EmbeddedTopics {
  private readonly vectors = new Map<string, Float64Array>();

  constructor(
    private readonly llm: LlmClient,
    private readonly written: readonly TopicExample[] = writtenExamples(),
  ) {}

  /**
   * The topic of the example nearest to `text` (cosine), among the written ones and `corrections`;
   * praise is left out for a complaint (never both). Null when the provider fails.
   */
  async nearest(
    text: string,
    corrections: readonly TopicExample[],
    complaint: boolean,
  ): Promise<{ topic: Topic; similarity: number } | null> {
    const examples = [...this.written, ...corrections]
      .filter((e) => !(complaint && e.topic === 'praise'))
      .map((e) => ({ text: mask(e.text), topic: e.topic }));
    const query = mask(text);
    try {
      await this.embedMissing([query, ...examples.map((e) => e.text)]);
    } catch {
      return null;
    }
    const q = this.vectors.get(query);
    if (!q) return null;
    let best: { topic: Topic; similarity: number } | null = null;
    for (const e of examples) {
      const v = this.vectors.get(e.text);
      if (!v || v.length !== q.length) continue;
      const similarity = dot(q, v);
      if (!best || similarity > best.similarity) best = { topic: e.topic, similarity };
    }
    return best;
  }

  private async embedMissing(texts: string[]) {
    const missing = [...new Set(texts)].filter((t) => !this.vectors.has(t));
    for (let i = 0; i < missing.length; i += BATCH) {
      const chunk = missing.slice(i, i + BATCH);
      const got = await this.llm.embed(chunk);
      chunk.forEach((t, j) => {
        if (this.vectors.size >= MAX_CACHED) {
          const oldest = this.vectors.keys().next().value;
          if (oldest !== undefined) this.vectors.delete(oldest);
        }
        this.vectors.set(t, unit(got[j]));
      });
    }
  }
}

/** The vector scaled to length 1 (so a dot product is the cosine); all zeros stays zeros. */
function unit(v: number[]): Float64Array {
  const out = Float64Array.from(v, (x) => (Number.isFinite(x) ? x : 0));
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
