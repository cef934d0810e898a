import { describe, expect, it } from 'vitest';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { X_MAX_WEIGHTED_LENGTH, xWeightedLength } from './x.length.js';
import { xDmDeepLink } from './x.links.js';
import { crcResponseToken, signXBody, verifyXSignature } from './x.verify.js';

const VECTOR = 'x-twitter-api/courier-account-activity/crc_challenge_vector.json';

describe('X CRC and signatures', () => {
  it.runIf(hasSharedData(VECTOR))('answers the published CRC vector', () => {
    const v = JSON.parse(readSharedText(VECTOR)) as Record<string, string>;
    expect(crcResponseToken(v.crc_token, v.consumer_secret)).toBe(v.expected_response_token);
  });

  it('accepts a body signed with the consumer secret and nothing else', () => {
    const body = Buffer.from('{"for_user_id":"1","tweet_create_events":[]}');
    const sig = signXBody(body, 's3cret');
    expect(verifyXSignature(body, sig, 's3cret')).toBe(true);
    expect(verifyXSignature(body, sig, 'other')).toBe(false);
    expect(verifyXSignature(Buffer.from(`${body} `), sig, 's3cret')).toBe(false);
    expect(verifyXSignature(body, undefined, 's3cret')).toBe(false);
    expect(verifyXSignature(body, sig.replace('sha256=', 'sha1='), 's3cret')).toBe(false);
    expect(verifyXSignature(body, 'sha256=AAAA', 's3cret')).toBe(false);
  });
});

describe('X weighted length', () => {
  it('counts Latin as 1, CJK as 2, an emoji sequence as 2 and a URL as 23', () => {
    expect(xWeightedLength('hello')).toBe(5);
    expect(xWeightedLength('日本語')).toBe(6);
    expect(xWeightedLength('👍🏽')).toBe(2);
    expect(xWeightedLength('👨‍👩‍👧‍👦')).toBe(2);
    expect(xWeightedLength('🇺🇸')).toBe(2);
    expect(xWeightedLength('see https://example.com/a/very/long/path/that/goes/on/and/on')).toBe(
      4 + 23,
    );
    expect(xWeightedLength('“quotes” — dash')).toBe(15);
    // NFC: e + combining acute is one character
    expect(xWeightedLength('e\u0301')).toBe(1);
  });

  it('counts bare domains as URLs and never less than X would', () => {
    // The QA case: 271 + 1 + 7 characters, but X counts "acme.io" as a 23-character link.
    expect(xWeightedLength(`${'a'.repeat(271)} acme.io`)).toBeGreaterThan(X_MAX_WEIGHTED_LENGTH);
    expect(xWeightedLength('acme.com')).toBe(23);
    expect(xWeightedLength('Status at acme.co and acme.io and acme.com')).toBe(20 + 3 * 23);
    expect(xWeightedLength('www.acme.com/help?order=12')).toBe(23);
    // Trailing punctuation and brackets are not part of X's URL: they count on their own.
    expect(xWeightedLength('(see acme.com/help).')).toBe(5 + 23 + 2);
    // Anything X's path stops at (here CJK) counts after the 23.
    expect(xWeightedLength('https://acme.com/日本')).toBe(23 + 4);
    // X takes no URL after a letter or "@": a long one then counts by its characters.
    const glued = 'xhttps://example.com/a/very/long/path/that/goes/on';
    expect(xWeightedLength(glued)).toBeGreaterThanOrEqual(glued.length);
    expect(xWeightedLength('bob@acme.com')).toBeGreaterThanOrEqual(12);
    // A TLD we do not know may be no TLD to X either: never counted below its characters,
    // nor below a URL ending at the first TLD X could take.
    const odd = 'https://acme.example-unknown-tld/a/long/path/to/somewhere';
    expect(xWeightedLength(odd)).toBeGreaterThanOrEqual(odd.length);
    expect(xWeightedLength('acme.com.zz_bar')).toBeGreaterThanOrEqual(23 + 7);
    expect(xWeightedLength('e.g. 3.14')).toBe(9);
  });

  it('puts the limit where X does: 280 Latin or 140 CJK', () => {
    expect(xWeightedLength('a'.repeat(280))).toBe(X_MAX_WEIGHTED_LENGTH);
    expect(xWeightedLength('漢'.repeat(140))).toBe(X_MAX_WEIGHTED_LENGTH);
    expect(xWeightedLength('漢'.repeat(141))).toBeGreaterThan(X_MAX_WEIGHTED_LENGTH);
  });

  it('builds the DM deep link for a public → private handoff', () => {
    expect(xDmDeepLink('835740314006511618', 'Order #12')).toBe(
      'https://twitter.com/messages/compose?recipient_id=835740314006511618&text=Order+%2312',
    );
  });
});
