import { describe, expect, it } from 'vitest';
import { spamFlags } from './spam.js';

describe('spamFlags', () => {
  it('does not take customers for spammers', () => {
    // A spam flag hides a complaint from the problem detector, so these matter most.
    for (const text of [
      'I was charged for an xxx channel I never ordered',
      "Got a text saying you've won a free iPhone from Verizon, is this real or phishing?",
      'Can I pay my bill with bitcoin?',
      'someone DMd me to "claim your free gift card", is this from you?',
    ])
      expect(spamFlags(text).spam, text).toBe(false);
  });

  it('flags money-making pitches, follow chains and referral links', () => {
    expect(spamFlags('Earn $5000/week working from home, DM me for details 💰💰').spam).toBe(true);
    expect(spamFlags('make $500 a day from home with bitcoin https://t.co/x').spam).toBe(true);
    expect(spamFlags('follow me follow me follow me follow me follow me').spam).toBe(true);
    expect(spamFlags('claim your free iPhone now https://x.co/win').spam).toBe(true);
    // A link's own words are no reader calling it a scam.
    for (const host of ['fake-prizes', 'spam', 'prizes'])
      expect(
        spamFlags(`WIN A FREE IPHONE!!! click here http://${host}.example.com now`).spam,
        host,
      ).toBe(true);
    expect(spamFlags('claim your free iPhone now, is this a scam? https://x.co/win').spam).toBe(
      false,
    );
    expect(
      spamFlags('Switch to T-Mobile! use my referral link https://tmo.ly/abc123 to get $100').promo,
    ).toBe(true);
    expect(spamFlags('my referral credit never showed up on my bill').promo).toBe(false);
  });
});
