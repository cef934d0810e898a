import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { topicWordsUrl } from '../topic-words.js';
import { headExamples } from './index.js';
import { buildTopicWords } from './topic-head.js';
import { readVectors } from './vectors.js';

/*
 * The shipped topic-words head is what `npm run train` makes from our sentences and the committed
 * word-vector extract (as reproduce.test.ts checks the linear model). Unlike that test it needs
 * no ../shared/data, and it never reads the 307 MB package: only data/triage/word-vectors.json.
 */
describe('the shipped topic-words head', () => {
  it('is exactly what the training script makes', () => {
    const made = buildTopicWords(headExamples(), readVectors());
    const shipped = readFileSync(topicWordsUrl(), 'utf8');
    expect(made === shipped, 'retrain with `npm run train` and commit data/triage/').toBe(true);
  }, 300_000); // about 10 s alone
});
