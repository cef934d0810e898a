import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { assistClassify } from './assist.js';
import { EmbeddedTopics, type TopicExample, writtenExamples } from './embed-topic.js';
import { createTriage } from './index.js';
import { LlmClient } from './llm.js';
import { TOPICS, type Topic } from './types.js';

// A fake OpenAI-compatible provider on 127.0.0.1. POST /v1/embeddings answers in OpenAI's
// documented shape ({object: "list", data: [{object: "embedding", index, embedding}], model,
// usage}) with a bag of words hashed into 512 dimensions, so texts sharing words are near. Chat
// answers by model name: "down" fails, "flag" gives the complaint flag only, "topic" a topic.
let base = '';
const embedded: string[] = [];
const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw) as { model: string; input?: string[] };
  const json = (status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  if (req.url === '/v1/embeddings') {
    if (body.model !== 'bow') return json(503, { error: 'down' });
    const input = body.input ?? [];
    embedded.push(...input);
    return json(200, {
      object: 'list',
      data: input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: bagOfWords(text),
      })),
      model: body.model,
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    });
  }
  const content =
    body.model === 'flag'
      ? '{"complaint": true}'
      : body.model === 'topic'
        ? '{"complaint": true, "topic": "network"}'
        : null;
  if (!content) return json(503, { error: 'down' });
  json(200, { choices: [{ message: { role: 'assistant', content } }] });
});

function bagOfWords(text: string): number[] {
  const v = new Array(512).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 0;
    for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) % 512;
    v[h] += 1;
  }
  return v;
}

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (chatModel: string, embeddingModel = 'bow') =>
  new LlmClient({ baseUrl: base, chatModel, embeddingModel, timeoutMs: 2000 });
const WRITTEN: TopicExample[] = [
  { text: 'my bill is wrong this month', topic: 'billing' },
  { text: 'no signal at home again', topic: 'network' },
  { text: 'thanks you are great', topic: 'praise' },
];

describe('topics by embeddings', () => {
  it('takes a fixed set of our written sentences, a dozen per topic', () => {
    const examples = writtenExamples();
    for (const topic of TOPICS) {
      expect(
        examples.filter((e) => e.topic === topic),
        topic,
      ).toHaveLength(12);
    }
    expect(examples.some((e) => e.text.includes('{'))).toBe(false);
    expect(writtenExamples()).toEqual(examples);
  });

  it('gives the topic of the nearest example, corrections included, embedding each text once', async () => {
    const topics = new EmbeddedTopics(client('down'), WRITTEN);
    embedded.length = 0;
    expect((await topics.nearest('why is my bill so high', [], false))?.topic).toBe('billing');
    expect(embedded).toHaveLength(4);
    const zorblax = 'my zorblax gadget is weird';
    expect((await topics.nearest(zorblax, [], false))?.topic).not.toBe('device');
    const corrected = [{ text: 'zorblax gadget is weird again', topic: 'device' as Topic }];
    const near = await topics.nearest(zorblax, corrected, false);
    expect(near?.topic).toBe('device');
    expect(near?.similarity).toBeGreaterThan(0.5);
    // The written examples and the query were embedded before: only the correction was new.
    expect(embedded).toHaveLength(6);
  });

  it('never gives praise to a complaint, masks personal data, and has no opinion on errors', async () => {
    const topics = new EmbeddedTopics(client('down'), WRITTEN);
    expect((await topics.nearest('thanks you are great', [], false))?.topic).toBe('praise');
    expect((await topics.nearest('thanks you are great', [], true))?.topic).not.toBe('praise');
    embedded.length = 0;
    await topics.nearest('card 4111 1111 1111 1111 billed twice', [], true);
    expect(embedded.join(' ')).not.toContain('4111');
    const broken = new EmbeddedTopics(client('down', 'none'), WRITTEN);
    expect(await broken.nearest('my bill', [], true)).toBeNull();
  });
});

describe('classify with embeddings', () => {
  const t = createTriage();
  const th = t.model.complaintThreshold;
  // Unsure on both counts, and the shipped model's topic is not billing.
  const unsure = {
    ...t.classify({ text: 'hello' }),
    complaint: false,
    complaintScore: th - 0.1,
    topic: 'other' as Topic,
    topicScores: {
      network: 0.1,
      outage: 0.05,
      billing: 0.2,
      account: 0.05,
      device: 0.05,
      service: 0.05,
      delivery: 0.05,
      praise: 0.05,
      other: 0.4,
    },
  };
  const text = 'why is my bill so high';
  const withEmbeddings = (llm: LlmClient) => ({
    topics: new EmbeddedTopics(llm, WRITTEN),
    corrections: async () => [],
  });

  it('decides an unsure topic when the chat model fails, scores agreeing', async () => {
    const llm = client('down');
    const r = await assistClassify(unsure, text, th, llm, withEmbeddings(llm));
    expect(r).toMatchObject({ source: 'embedding', topic: 'billing', complaint: false });
    expect(r.note).toMatch(/^topic of the nearest example \(cosine 0\.\d\d\); chat: server$/);
    expect(r.topicScores).toMatchObject({ billing: 0.4, other: 0.2 });
    expect(r.offline?.topic).toBe('other');
    // Without embeddings, the offline answer.
    expect(await assistClassify(unsure, text, th, llm)).toMatchObject({ source: 'offline' });
  });

  it('decides the topic when the chat model gave only the complaint flag, never over its topic', async () => {
    const flag = client('flag');
    const flagged = await assistClassify(unsure, text, th, flag, withEmbeddings(flag));
    expect(flagged).toMatchObject({ source: 'llm', complaint: true, topic: 'billing' });
    const named = client('topic');
    embedded.length = 0;
    const r = await assistClassify(unsure, text, th, named, withEmbeddings(named));
    expect(r).toMatchObject({ source: 'llm', topic: 'network' });
    expect(embedded).toEqual([]);
  });

  it('is configured by THROUGHLINE_LLM_EMBEDDING_MODEL, off without it', () => {
    const env = { THROUGHLINE_LLM_URL: 'http://127.0.0.1:9', THROUGHLINE_LLM_MODEL: 'm' };
    expect(loadConfig(env).llm?.embeddingModel).toBeUndefined();
    expect(
      loadConfig({ ...env, THROUGHLINE_LLM_EMBEDDING_MODEL: 'text-embedding-3-small' }).llm,
    ).toMatchObject({ embeddingModel: 'text-embedding-3-small' });
  });
});
