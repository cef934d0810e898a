import { describe, expect, it } from 'vitest';
import { applyCorrections } from './corrections.js';
import { analyse } from './features.js';
import {
  complaintLogit,
  emptyModel,
  softmaxInPlace,
  type TriageModel,
  topicProbabilities,
} from './model.js';
import { packModel, scorePacked } from './packed.js';
import { TOPICS } from './types.js';
import { loadShippedModel } from './weights.js';
import { WordTable, wordHash } from './word-table.js';

const TEXTS = [
  'my internet is down again in 94110 @XHelp',
  'why was I charged twice?? this is a SCAM',
  'thanks so much, the tech fixed it 👍',
  "can't log in to my account since the update",
  '',
];

/** The packed scores must be bit-for-bit those of model.ts, for any weights. */
function expectSameScores(model: TriageModel): void {
  const packed = packModel(model);
  const logits = new Float64Array(TOPICS.length);
  for (const text of TEXTS) {
    const a = analyse(text);
    expect(scorePacked(packed, a.indices, a.values, logits)).toBe(complaintLogit(model, a));
    expect([...softmaxInPlace(logits)]).toEqual([...topicProbabilities(model, a)]);
  }
}

describe('packed model', () => {
  it('scores exactly as the plain arrays do (shipped and corrected models)', () => {
    const shipped = loadShippedModel();
    expectSameScores(shipped);
    expectSameScores(
      applyCorrections(shipped, [{ text: 'portal renewal form', topic: 'account' }]),
    );
  });

  it('keeps a row only for slots with a weight, including the last slot of a bitmap word', () => {
    const m = emptyModel('test');
    const bias = analyse('').indices[0];
    m.complaint[bias] = 0.5;
    m.topic[31 * TOPICS.length + 2] = 1.25; // slot 31: the top bit of the first word
    const packed = packModel(m);
    expect(packed.rows.length).toBe(2 * (TOPICS.length + 1));
    const logits = new Float64Array(TOPICS.length);
    expect(scorePacked(packed, [31, bias, 5], [2, 1, 1], logits)).toBe(0.5);
    expect(logits[2]).toBe(2.5);
    expectSameScores(m);
  });
});

describe('WordTable', () => {
  it('answers as a Map does, for hits, misses and slices', () => {
    const entries: [string, number][] = [
      ['not', 1],
      ['no', 2],
      ["can't", 3],
      ['😡', 4],
      ['no', 5], // a later entry wins, as in a Map
    ];
    const table = new WordTable(entries);
    const map = new Map(entries);
    expect(table.size).toBe(map.size);
    for (const word of ['not', 'no', "can't", '😡', 'nope', '', 'NOT', 'no ']) {
      expect(table.get(word)).toBe(map.get(word));
      expect(table.getHashed(word, wordHash(word))).toBe(map.get(word));
      const text = `xx ${word} yy`;
      expect(table.getSlice(text, 3, 3 + word.length, wordHash(word))).toBe(map.get(word));
    }
  });
});
