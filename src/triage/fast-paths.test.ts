/**
 * The shortcuts of the hot path (see data/triage/README.md, "Speed") must give the answers of the
 * plain regexes they skip or replace. Each case sits at the edge of one shortcut.
 */
import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';
import { detectLanguage } from './language.js';
import { findPii } from './pii.js';
import { spamFlags } from './spam.js';
import { normalise, tokenize } from './text.js';
import { urgencySignals } from './urgency.js';

describe('hot-path shortcuts', () => {
  it('tokenises ASCII and non-ASCII text alike', () => {
    const ascii = tokenize("SOOO slow!! can't call __url__ x__y 12 123456 it's");
    expect(ascii.words).toEqual(
      ['soo', 'slow', '!', '!', 'can', 'not', 'call', '__url__', 'x', 'y', '__num__'].concat([
        '__longnum__',
        'it',
      ]),
    );
    expect(ascii.shouted).toBe(1);
    // The same words with one non-ASCII character take the regex path.
    expect(tokenize("SOOO slow!! can't call __url__ x__y 12 123456 it's é").words).toEqual(
      ascii.words,
    );
    expect(tokenize('angry 😡 now').words).toEqual(['angry', '😡', 'now']);
  });

  it('replaces @mentions of up to 30 word characters, care desks apart', () => {
    expect(normalise('@XHelp hi @bob')).toBe(' __atcare__  hi  __at__ ');
    expect(normalise(`@${'a'.repeat(32)}`)).toBe(' __at__ aa');
    expect(normalise('a@b @ c@@d')).toBe('a __at__  @ c@ __at__ ');
  });

  it('finds e-mail addresses and numbers the guards must not skip', () => {
    const kinds = (t: string) => findPii(t).map((s) => s.kind);
    expect(kinds('@bob write to bob.smith@example.com')).toEqual(['email']);
    expect(kinds('@bob no address here @ all')).toEqual([]);
    expect(kinds('call (415) 555-0134 today')).toEqual(['phone']);
    expect(kinds('ssn 123-45-6789')).toEqual(['ssn']);
    expect(kinds('acct #1234567 please')).toEqual(['account']);
    expect(kinds('@115712 order 1234567')).toEqual([]);
  });

  it('counts links, tags and mentions as the regexes did', () => {
    expect(spamFlags('a https://x http://y https://z').spam).toBe(true);
    expect(spamFlags('a https://x http://y hxxp://z').spam).toBe(false);
    expect(spamFlags('#a #b #c #d #e #f').spam).toBe(true);
    expect(spamFlags('#a #b #c #d #e # f').spam).toBe(false);
    expect(spamFlags('@a @b @c @d @e @f @g @h').spam).toBe(true);
    expect(spamFlags('@a @b @c @d @e @f @g @ h').spam).toBe(false);
  });

  it('reports every matching urgency rule after the combined test', () => {
    expect(urgencySignals('I will sue you, there is smoke and I am cancelling my service')).toEqual(
      ['churn', 'safety', 'legal'],
    );
  });

  it('finds areas only where a pattern can match', () => {
    expect(extractArea('down in Denver, CO since noon')?.city).toBe('Denver');
    expect(extractArea('outage near Chicago')?.city).toBe('Chicago');
    expect(extractArea('zip 10001 has no service')?.postalCode).toBe('10001');
    expect(extractArea('no signal in the basement 1234')).toBeNull();
    // Written without capitals, a place is read as if capitalised (area-lowercase.ts).
    expect(extractArea('no signal in london 1234')?.city).toBe('London');
  });

  it('votes languages in ASCII and accented text alike', () => {
    expect(detectLanguage('the internet is down and my phone is not working')).toBe('en');
    expect(detectLanguage('mi internet no funciona, necesito ayuda por favor')).toBe('es');
    expect(detectLanguage('não funciona a internet, preciso de ajuda')).toBe('pt');
  });
});
