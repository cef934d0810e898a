import { describe, expect, it } from 'vitest';
import type { UrgencyKind } from './types.js';
import { urgencySignals } from './urgency.js';

/** Each text with exactly the signals it should raise. */
function expectSignals(cases: [string, UrgencyKind[]][]): void {
  for (const [text, kinds] of cases) expect(urgencySignals(text), text).toEqual(kinds);
}

describe('churn', () => {
  it('needs someone to leave for, not any "going to <word>"', () => {
    expectSignals([
      ["I'm going to restart my router", []],
      ['going to the store', []],
      ["I'm going to try again tomorrow", []],
      ['moving to a new apartment next month, how do I transfer service?', []],
      ['switching to wifi calling fixed it', []],
      ['this is going to small claims court', ['legal']],
      ['leaving for work now, will check later', []],
      ['I want to leave work early today', []],
      ['going to leave the house now', []],
      ['leaving @Starbucks now, the wifi there is fine', []],
      // "About to leave" is where someone is going, not a threat, said alone.
      ['ok, about to leave.', []],
      ['about to leave, see you at 8', []],
      ["I'm cancelling my order, it's late", []],
      ["I'm cancelling the appointment, something came up", []],
      ['noise cancelling headphones are great', []],
    ]);
  });

  it('still hears a threat to leave', () => {
    expectSignals([
      ["I'm switching to Verizon, done with you guys", ['churn']],
      ["cancel my service today, I'm going to T-Mobile", ['churn']],
      ['thinking about porting my number to Verizon', ['churn']],
      ['going to port my number out if this is not fixed', ['churn']],
      ['switching to @Sprint tomorrow', ['churn']],
      ['moving to another carrier next month', ['churn']],
      ['leaving you for AT&T', ['churn']],
      ['no signal for 3 days in 94110, cancelling', ['churn']],
      ["that's it, I'm cancelling.", ['churn']],
      ['we are officially cancelling today', ['churn']],
      ['third outage this week. I want to leave.', ['churn', 'repeat']],
      ['ready to switch!', ['churn']],
      ['dropped call again, about to switch.', ['churn']],
      ['leaving this company as soon as my contract ends', ['churn']],
    ]);
  });
});

describe('safety, legal, vulnerable, repeat', () => {
  it('are not raised by look-alike words', () => {
    expectSignals([
      ['Call me at 555-911-2345 please', []],
      ['this deal is fire 🔥', []],
      ['your prices are dangerous lol', []],
      ['My sister Sue says her bill is wrong too', []],
      ['no signal at the food court in the mall', []],
      ['The lawyer on TV was funny lol', []],
      ['my complaints keep falling on deaf ears', []],
      ['Ordered the Galaxy S23, still not here', []],
      ['the battery is great, lasts two days', []],
      ['smoking deals on the new iPhone', []],
    ]);
  });

  it('are raised by what they mean', () => {
    expectSignals([
      ['gas smell near your cell tower equipment box', ['safety']],
      ['the box outside caught fire', ['safety']],
      ["my phone can't call 911", ['safety']],
      ['there is a fire at the cell site', ['safety']],
      ['my phone battery is swelling', ['safety']],
      ['the new phone has a swollen battery', ['safety']],
      ['the charger is melting', ['safety']],
      ["my grandmother can't call anyone, she lives alone", ['vulnerable']],
      ['AGAIN?! second outage this week', ['repeat']],
      ['I will sue you for this', ['legal']],
      ['see you in court', ['legal']],
      ['my lawyer will be in touch', ['legal']],
      ['my dad is deaf and relies on texts', ['vulnerable']],
      ['internet still not fixed after a week', ['repeat']],
    ]);
  });

  it('hear a contact made before as a repeat, and one still to come as none', () => {
    expectSignals([
      ['I already called twice about my bill', ['repeat']],
      ['called you guys twice and nothing', ['repeat']],
      ['emailed support again today about the charge', ['repeat']],
      ['I have contacted you 3 times about this', ['repeat']],
      ['this is the third time I message you', ['repeat']],
      ['my third email this week about the refund', ['repeat']],
      ['still no answer from your team', ['repeat']],
      ['how many times do I have to explain my plan', ['repeat']],
      ['already reported this outage yesterday', ['repeat']],
      ["I'll call again tomorrow", []],
      ['can you call me back', []],
      ['I called to ask about an upgrade', []],
    ]);
  });
});
