import { describe, expect, it } from 'vitest';
import { classify } from './index.js';
import { spamFlags } from './spam.js';

// QA replay: 25 accounts posted this within an hour; each was triaged a network complaint and
// together they raised a "free" text problem.
const PROMO_RUN = '@ThroughlineHelp get FREE unlimited data 👉 bit.ly/fr33data claim now';

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

  it('takes an offer pushing a shortened link for spam and promotion, not a complaint', () => {
    for (const text of [
      PROMO_RUN,
      'FREE iPhone 16 for the first 100 followers tinyurl.com/fr33phone',
      'Unlimited 5G for $5, act now before it ends https://cutt.ly/5gdeal',
    ]) {
      const r = classify({ text, channel: 'x' });
      expect(r.spam, text).toBe(true);
      expect(r.complaint, text).toBe(false);
    }
    expect(spamFlags(PROMO_RUN).promo).toBe(true);
  });

  it('keeps complaints with a link, and customers asking about the advert', () => {
    for (const text of [
      // Twitter wraps every posted link (a photo of the error) in t.co.
      'You advertised FREE installation and then charged me $99 for it https://t.co/a1B2c3',
      'internet has been down since 9am and your status page says all fine https://bit.ly/3xYzAbc',
      'I was promised a FREE router, still nothing after 3 weeks. Order details bit.ly/myorder',
    ]) {
      const r = classify({ text, channel: 'x' });
      expect(r.spam, text).toBe(false);
      expect(r.complaint, text).toBe(true);
    }
    expect(
      spamFlags('got a DM saying "get FREE unlimited data bit.ly/fr33data claim now", is this you?')
        .spam,
    ).toBe(false);
  });
});
