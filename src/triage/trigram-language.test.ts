import { existsSync, readFileSync } from 'node:fs';
import { franc } from 'franc';
import { describe, expect, it } from 'vitest';
import { FRANC_ONLY, francLanguage } from './language.js';

// Words of many scripts and languages, and the characters franc's cleaning turns into spaces.
const PIECES = [
  'the',
  'internet',
  'ist',
  'nicht',
  'muy',
  'lento',
  'não',
  'funciona',
  'été',
  'coupé',
  'niet',
  'bağlantı',
  'yok',
  'połączenie',
  'không',
  'được',
  'Привет',
  'интернет',
  'не',
  'працює',
  'الانترنت',
  'لا',
  'يعمل',
  'इंटरनेट',
  'नहीं',
  'चल',
  'שלום',
  'Γεια',
  'σας',
  'ইন্টারনেট',
  'இணையம்',
  'ఇంటర్నెట్',
  'ไม่',
  '인터넷',
  'インターネット',
  '网络',
  '😡',
  '𝐀𝐁',
  '123',
  '!!',
  '@#$',
  ' ',
  '  ',
  '\n',
  '\u00a0',
  "'",
  '-',
];

function randomTexts(count: number, seed: number): string[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const words: string[] = [];
    const n = 1 + Math.floor(next() * 14);
    for (let w = 0; w < n; w++) words.push(PIECES[Math.floor(next() * PIECES.length)]);
    out.push(words.join(next() < 0.8 ? ' ' : ''));
  }
  return out;
}

const TWEETS = new URL('../../../shared/data/twcs/twcs_first5000.csv', import.meta.url).pathname;
const haveTweets = existsSync(TWEETS);
if (!haveTweets) console.log(`skipping the real-tweet franc comparison: ${TWEETS} is absent`);

const reference = (text: string) => franc(text, { minLength: 12, only: FRANC_ONLY });

describe('francLanguage (franc, precomputed)', () => {
  it('answers what franc answers on mixed-script texts', () => {
    const texts = randomTexts(3000, 42);
    const answers = new Set<string>();
    for (const text of texts) {
      const got = francLanguage(text);
      expect(got, JSON.stringify(text)).toBe(reference(text));
      answers.add(got);
    }
    // The texts reach the trigram ranking of several scripts, not only "und".
    expect(answers.size).toBeGreaterThan(8);
  });

  it('answers what franc answers on edge cases', () => {
    for (const text of [
      '',
      'short',
      '!!!!!!!!!!!!!!',
      '            ',
      '12345678901234',
      'a'.repeat(5000),
    ]) {
      expect(francLanguage(text), JSON.stringify(text)).toBe(reference(text));
    }
  });

  it.skipIf(!haveTweets)('answers what franc answers on real tweets (../shared/data)', () => {
    // Whole CSV lines are fine here: the point is real text, not the CSV's fields.
    const lines = readFileSync(TWEETS, 'utf8').split('\n').slice(1, 2001);
    for (const line of lines) expect(francLanguage(line), line).toBe(reference(line));
  });
});
