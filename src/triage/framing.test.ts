import { describe, expect, it } from 'vitest';
import { messageBody } from './framing.js';
import { classify } from './index.js';

describe('messageBody: what a message says without its framing', () => {
  it("leaves out a letter's salutation, sign-off, name and mail signature", () => {
    expect(
      messageBody(
        'Dear Sir or Madam,\n\nOur internet just died in New Orleans.\n\nThank you,\nVince',
      ),
    ).toBe('Our internet just died in New Orleans.');
    expect(messageBody('Hi,\n\nInternet and tv are both out.\n\nSent from my iPhone\nHiro')).toBe(
      'Internet and tv are both out.',
    );
    expect(messageBody('To whom it may concern,\n\nNo signal.\n\nKind regards,\nAna Lopez')).toBe(
      'No signal.',
    );
    expect(messageBody('Hello team,\n\nStill down.\n\n-\nTrey')).toBe('Still down.');
  });

  it('leaves out a signature of a name over an account number', () => {
    expect(
      messageBody('Good morning,\n\nNO DATA SINCE NOON\n\nFatima Foster\nAcct #298223332'),
    ).toBe('NO DATA SINCE NOON');
    expect(
      messageBody('Hi,\n\nbill is wrong\n\nIvy\nAccount no. 5304 6048\n\nSent from my iPhone'),
    ).toBe('bill is wrong');
    // A sentence over an account number is content.
    expect(messageBody('Hi,\n\nThe bill is wrong again.\nAcct #298223332')).toBe(
      'The bill is wrong again.',
    );
  });

  it('leaves out the message a reply quotes, and its attribution line', () => {
    expect(
      messageBody(
        'Hi,\n\nservice is down for everyone i know\n\nErin\n\n> On Mon, Vireo Support wrote:\n> Thank you for contacting us.',
      ),
    ).toBe('service is down for everyone i know\n\nErin');
    expect(
      messageBody(
        'still no signal\n\nOn Tue, 3 Mar 2025 at 10:00, Vireo <care@vireo.example> wrote:\n> Is it working now?',
      ),
    ).toBe('still no signal');
    expect(
      messageBody(
        'no signal\n-----Original Message-----\nFrom: Vireo\nSent: Monday\nThanks for writing',
      ),
    ).toBe('no signal');
    // Nothing but a quotation, or a ">" inside the words, is the message.
    expect(messageBody('> quoted only')).toBe('> quoted only');
    expect(messageBody('a > b, says my bill')).toBe('a > b, says my bill');
    // The desk's words quoted back no longer hide the complaint (0.02 before).
    expect(
      classify({
        text: 'Hi,\n\nservice is down for everyone i know\n\nErin\n\n> On Mon, Vireo Support wrote:\n> Thank you for contacting us.',
      }).complaint,
    ).toBe(true);
  });

  it("leaves out a transcript's marker and the caller's introduction", () => {
    expect(messageBody('[Voicemail transcript] Hi, this is Sarah. eSIM activation failed.')).toBe(
      'eSIM activation failed.',
    );
    expect(
      messageBody('[Call summary] Caller Emily Davis said: emails bounce. Please advise.'),
    ).toBe('emails bounce. Please advise.');
  });

  it("keeps only the caller's side of a call transcript", () => {
    expect(
      messageBody(
        "Caller: nope, still the same. Agent: I'm sorry to hear that, let me look into it.",
      ),
    ).toBe('nope, still the same.');
    expect(
      messageBody('Customer: no signal since noon. Rep: Let me check. Customer: ok, thanks'),
    ).toBe('no signal since noon. ok, thanks');
    // One speaker only, or a label not at the start: not a two-sided transcript.
    expect(messageBody('Caller: no dial tone at all')).toBe('no dial tone at all');
    expect(messageBody('my agent: the phone is dead')).toBe('my agent: the phone is dead');
    expect(
      messageBody('[voicemail transcript] hi this is dana calling about my account, no service'),
    ).toBe('no service');
  });

  it('leaves out closing courtesies, also one after another', () => {
    expect(messageBody('texts show as failed for 2 hours. Thanks in advance.')).toBe(
      'texts show as failed for 2 hours.',
    );
    expect(messageBody('No signal since 9. 🙄 My account number is 5 3 0 4 6. Thanks, bye.')).toBe(
      'No signal since 9. 🙄',
    );
    expect(
      messageBody('It has been a day.\n\nI would appreciate a reply as soon as possible.'),
    ).toBe('It has been a day.');
  });

  it('keeps what is content, and a message that is nothing but courtesy', () => {
    for (const text of [
      'Thanks!',
      'Thanks in advance.',
      'Dear Sir or Madam,\n\nThank you,\nVince',
      // A bare "thanks" after a question marks a polite request (complaints-acl2019).
      'can you check my order? Thanks!',
      'no signal since noon. Thanks for nothing.',
      'thanks for the quick fix!',
      // "This is" with no greeting before it is no introduction.
      'This is Ridiculous. no signal',
      // A name-like last line with no sign-off above it is the message.
      'Hello team,\n\nmy bill\nTotally Wrong',
      // Lines with no framing come back as they were, spacing and all.
      '@ComcastCares\n I just opened an account. \n^HSB',
    ]) {
      expect(messageBody(text), text).toBe(text.replace(/^Hello team,\n\n/, ''));
    }
  });
});

// Incident messages of the simulator and an outside QA round: polite complaints read as no
// complaint ("Thanks in advance" and "Thank you,\nName" read as thanks), and "Sent from my
// iPhone" or a caller's introduction moved the topic.
describe('triage of politely framed complaints', () => {
  it('calls them complaints of their topic', () => {
    for (const [text, topic] of [
      ['Hi there, texts show as failed in New York, NY for 2 hours. Thanks in advance.', 'network'],
      ['My router you sent drops wifi every hour. Thanks in advance.', 'device'],
      [
        '[Voicemail transcript] Hi, this is Sarah. Hey eSIM activation failed on my tablet.',
        'device',
      ],
      [
        'Dear Sir or Madam,\n\nInternet and tv are both out.\n\nSent from my iPhone\nYesenia',
        'outage',
      ],
    ]) {
      const r = classify({ text });
      expect({ text, complaint: r.complaint, topic: r.topic }).toEqual({
        text,
        complaint: true,
        topic,
      });
    }
  });

  it('still reads thanks as thanks', () => {
    for (const text of [
      'Thanks!',
      'Working again. Thanks!',
      'Hi,\n\nAll sorted now, thank you.\n\nBest,\nAna',
    ]) {
      expect(classify({ text }).complaint, text).toBe(false);
    }
  });
});
