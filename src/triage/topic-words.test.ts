import { describe, expect, it } from 'vitest';
import { applyCorrections } from './corrections.js';
import { createTriage } from './index.js';
import { tokenize } from './text.js';
import {
  addTopicWords,
  loadShippedTopicWords,
  type TopicWordsJSON,
  topicWordsFromJSON,
} from './topic-words.js';
import { TOPICS } from './types.js';
import { loadShippedModel } from './weights.js';

const shipped = loadShippedModel();
const head = loadShippedTopicWords();

describe('the topic-words head', () => {
  it('files a text under the topic its unfamiliar words mean', () => {
    // "handset" and "freezing" barely occur in our sentences: the linear model says other.
    const text = 'my handset keeps freezing';
    expect(createTriage(shipped, null).classify({ text }).topic).toBe('other');
    const r = createTriage(shipped).classify({ text });
    expect(r.topic).toBe('device');
    expect(r.topicScores.device).toBeGreaterThan(0.5);
    const sum = Object.values(r.topicScores).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 2);
  });

  it('has no opinion on a text without a known word, and leaves complaints alone', () => {
    const logits = new Float64Array(TOPICS.length);
    addTopicWords(head, tokenize('@acme 12345 !!! https://x.co/a').words, logits);
    expect(Array.from(logits)).toEqual(new Array(TOPICS.length).fill(0));
    for (const text of ['my handset keeps freezing', 'why was I charged twice?', 'thanks!']) {
      const [a, b] = [createTriage(shipped, null), createTriage(shipped)].map((t) =>
        t.classify({ text }),
      );
      expect(b.complaintScore, text).toBe(a.complaintScore);
    }
  });

  it('leaves a short trouble report to the phrase list ("lost service" is network)', () => {
    expect(createTriage(shipped).classify({ text: 'lost service 30301' }).topic).toBe('network');
    // "No service" is a lost network to some and an outage to others (v10 learned outages said
    // in mobile words, "no bars on any phone in the house"): one of the two, never device.
    expect(['network', 'outage']).toContain(
      createTriage(shipped).classify({ text: 'no service at all today' }).topic,
    );
  });

  it('is part of what corrections are learned against', () => {
    // The head calls this device; an agent says other. A learner blind to the head moves the
    // linear model alone, and classify(), which adds the head, still says device.
    const text = 'my handset keeps freezing';
    const fix = [{ text, topic: 'other' as const }];
    const aware = createTriage(applyCorrections(shipped, fix)).classify({ text });
    const blind = createTriage(applyCorrections(shipped, fix, { topicWords: null })).classify({
      text,
    });
    expect(aware.topic).toBe('other');
    expect(blind.topic).toBe('device');
  });

  it('refuses a table for other topics or with rows that do not match its words', () => {
    const good: TopicWordsJSON = {
      format: 'throughline-topic-words',
      version: 'x',
      topics: TOPICS,
      weight: 0.5,
      bias: new Array(TOPICS.length).fill(0),
      scale: 0.1,
      words: ['phone'],
      rows: Buffer.from(new Int8Array(TOPICS.length).fill(3).buffer).toString('base64'),
    };
    expect(topicWordsFromJSON(good).index.get('phone')).toBe(0);
    expect(() => topicWordsFromJSON({ ...good, topics: [...TOPICS].reverse() })).toThrow(/topic/);
    expect(() => topicWordsFromJSON({ ...good, words: ['phone', 'bill'] })).toThrow(/rows/);
  });
});
