import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';
import { classify } from './index.js';
import { shortTrouble } from './short-trouble.js';
import { tokenize } from './text.js';
import { loadShippedTopicWords } from './topic-words.js';
import { knownWords, placeWords, troubleIn } from './trouble-in.js';

const known = knownWords(loadShippedTopicWords());
const read = (text: string) => troubleIn(tokenize(text).words, () => extractArea(text), known);

describe('the short-text rule as classify() applies it', () => {
  it('reads a misspelt trouble word as the word meant', () => {
    expect(read('still dwn')).toEqual({ topic: 'outage' });
    expect(read('sill down')).toEqual({ topic: 'outage' });
    expect(read('same prolbem still')).toEqual({ topic: null });
    expect(read('whole street lsot internet')).toEqual({ topic: 'outage' });
    // Not without the vocabulary that says which words are words of their own.
    expect(troubleIn(tokenize('still dwn').words, () => null, undefined)).toBeNull();
  });

  it('leaves a real word one letter from a trouble word as it is', () => {
    // "last" is one letter from "lost", "town" from "down": both are words of their own.
    expect(read('last internet bill')).toBeNull();
    expect(read('still in town')).toBeNull();
  });

  it('reads a report made long by its place without the place', () => {
    const text = "can't finish a single phone call in New York NY today";
    expect(shortTrouble(tokenize(text).words)).toBeNull();
    expect(read(text)).toEqual({ topic: 'network' });
    expect(classify({ text }).complaint).toBe(true);
    expect(read('internet went out about an hour ago here in Cleveland Ohio')).toEqual({
      topic: 'outage',
    });
    // A postal code and its "in" too ("in 75201" was a word too many).
    const order = 'my order has not moved from the warehouse in 75201';
    expect(shortTrouble(tokenize(order).words)).toBeNull();
    expect(read(order)).toEqual({ topic: 'delivery' });
    expect(read('my order has not moved from the warehouse in 75201 or anywhere else')).toBeNull();
    // A long question stays long: a place is all it loses.
    expect(
      read('do you have a store in downtown Los Angeles, California near the convention center?'),
    ).toBeNull();
  });

  it("names a place's words: city, nickname, state code and name", () => {
    expect([...placeWords(extractArea('no signal in New York, NY'))].sort()).toEqual(
      expect.arrayContaining(['new', 'york', 'newyork', 'nyc', 'ny']),
    );
    expect([...placeWords(extractArea('outage in Denver CO'))]).toEqual(
      expect.arrayContaining(['denver', 'co', 'colorado']),
    );
    expect(placeWords(extractArea('no service since noon')).size).toBe(0);
  });

  it('takes a sized-up outage question as a report, not a question about one', () => {
    expect(read('complete outage?')).toEqual({ topic: 'outage' });
    expect(read('massive outage??')).toEqual({ topic: 'outage' });
    expect(read('is there a major outage?')).toBeNull();
    expect(read('any outage?')).toBeNull();
  });

  it('reads a bill against what it normally is, and an order that has not moved', () => {
    expect(read('my bill today is $212.40, normally it is $85')).toEqual({ topic: 'billing' });
    expect(read('bill more than doubled this cycle??')).toEqual({ topic: 'billing' });
    expect(read('my order has not moved from the warehouse')).toEqual({ topic: 'delivery' });
    expect(read('what is my bill normally on autopay?')).toBeNull();
  });
});
