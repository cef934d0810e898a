import { describe, expect, it } from 'vitest';
import { privateValue, publicValue } from './template-values.js';

describe('customer values in public replies', () => {
  it('drop mention and hashtag marks and link-like words', () => {
    expect(publicValue('@KestrelHelp_CEO https://phish.example/login', 60)).toBe('KestrelHelp_CEO');
    expect(publicValue('＠Someone #deal $ACME costs $50', 60)).toBe('Someone deal ACME costs $50');
    for (const link of ['www.evil.example', 'evil.example/x', 'bit.ly', '(evil.com),', 'ftp://x'])
      expect(publicValue(`Kim ${link} Lee`, 60), link).toBe('Kim Lee');
  });

  it('keep names with dots and punctuation that link nowhere', () => {
    expect(publicValue('Dr. Ana María O’Neil Jr.', 60)).toBe('Dr. Ana María O’Neil Jr.');
  });

  it('put one line without control or bidi characters, cut at a word', () => {
    expect(publicValue('Ann\u202eevil\nLine\u200b2\t\u0007x ', 60)).toBe('Annevil Line2 x');
    const long = publicValue('word '.repeat(100), 60);
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('word')).toBe(true);
    expect(Array.from(publicValue('😀'.repeat(100), 10))).toHaveLength(10);
    expect(publicValue('https://x.example', 60)).toBe('');
  });

  it('keep the words in a private reply, on one line and bounded', () => {
    expect(privateValue('@Kim\nhttps://x.example', 200)).toBe('@Kim https://x.example');
    expect(privateValue('a'.repeat(500), 200)).toHaveLength(200);
  });
});
