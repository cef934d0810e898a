import { describe, expect, it } from 'vitest';
import { classify } from '../triage/index.js';
import { shortNegative } from './still-broken.intl.js';
import { isStillBroken, saysStillBroken } from './still-broken.js';

// Replies customers really send to a "fixed" notice (QA round), judged 40 minutes after the fix.
const FIXED_AT = Date.parse('2026-05-04T10:00:00Z');
const AT = FIXED_AT + 40 * 60_000;
const outage = { status: 'fixed', topic: 'outage', fixed_event_at: FIXED_AT };
const judge = (text: string) => isStillBroken(outage, classify({ text, channel: 'sms' }), text, AT);

describe('"still broken" phrase coverage after a fix notice', () => {
  // The words alone say so: whatever triage makes of the tone, these count.
  const broken = [
    'still not working',
    'nope, still down',
    "it's not fixed",
    'It’s not fixed',
    'same problem again today',
    'still no signal in 94110',
    "didn't work, still dropping calls",
    'Did not work. Still dropping calls',
    'not working still',
    'still the same',
    'still down for me',
    'no, still broken',
    'it happened again today',
    'the problem is back',
    'problem came back this morning',
    'Still getting no signal',
    'STILL NOT WORKING!!!',
    'still have no internet',
    'nothing works still',
    "it didn't fix anything",
    'your fix did not work',
    'the issue has returned',
    'outage is back again',
    'not here, still nothing in 78701',
    'the problem keeps coming back',
  ];
  it.each(broken)('%j says it is still broken', (text) => {
    expect(saysStillBroken(text)).toBe(true);
    expect(judge(text)).toBe(true);
  });

  // Thanks, or "works" said with words that look like complaints ("no problems", "still").
  const fine = [
    'thanks, it works now',
    'all good now',
    'no problems since',
    'No problems since the fix, thanks',
    'not anymore, thank you',
    'Not any more, thanks!',
    'still works great, thanks',
    'Still working fine here',
    'no issues since yesterday',
    "haven't had any problems since",
    'nope, all fine now',
    'nope, no problems',
    'not a problem anymore',
    'works perfectly now, no more dropped calls',
    'no more dropping calls, thanks',
    'signal is back, thank you so much',
    'Thank you! Not down anymore',
    'fixed for me, thanks',
    'working again, no complaints',
    'signal came back this morning, thanks',
    'it came back on an hour ago, cheers',
    // A reply that answers "is it still not working?" with a bare "nope" is ambiguous: the words
    // alone do not count, only a negative complaint's tone (`isStillBroken`'s second test) could.
    'nope',
    'no problem again today, thanks',
    'the service started again after the restart, thanks',
    // Denied, asked or supposed (review round): none says the trouble is back.
    "Thanks, it hasn't happened again since the fix",
    'It has not happened again, great work',
    "Haven't had a problem again since yesterday, thanks",
    'never had the issue again, thanks',
    'so far so good, nothing happened again',
    'Thanks! Will the problem come back?',
    'let me know if the outage returned tonight',
    "all good, I didn't change anything and it works now",
  ];
  it.each(fine)('%j is not a report', (text) => {
    expect(saysStillBroken(text)).toBe(false);
    expect(judge(text)).toBe(false);
  });
});

// Issue 6 QA: answers to "If it is still not working for you, just reply to this message".
describe('"still broken" in more words, and in other languages', () => {
  const broken = [
    'keeps dropping',
    "it's back but keeps cutting out every few minutes",
    'came back for an hour then died again',
    'still waiting for it to come back',
    'fixed? lol no',
    'who said it is fixed, it is not',
    'still-down',
    'sigue sin funcionar',
    'todavía no funciona',
    'se cayó otra vez',
    'funktioniert immer noch nicht',
    'geht noch nicht',
    'schon wieder kein Netz',
    'toujours pas de connexion internet',
    'ça ne marche pas',
    'ainda não funciona',
    'continua sem sinal',
    'ancora non funziona',
    'di nuovo giù',
  ];
  it.each(broken)('%j says it is still broken', (text) => {
    expect(saysStillBroken(text)).toBe(true);
    expect(judge(text)).toBe(true);
  });

  const fine = [
    'Ya funciona, gracias',
    'si todavía no funciona te aviso',
    'Funktioniert wieder, danke!',
    'ça marche, merci',
    'Já voltou, obrigado',
    'ora funziona, grazie',
    'still waiting for a reply about my bill',
    'it keeps working fine now, thanks',
  ];
  it.each(fine)('%j is not a report', (text) => {
    expect(saysStillBroken(text)).toBe(false);
    expect(judge(text)).toBe(false);
  });

  // A short "no" says it only as an answer to the fix notice (`answersFix`).
  const shortNo = [
    'nope',
    'no',
    'not for me',
    'no luck',
    'nothing yet',
    '👎😡',
    'Nope.',
    'noch nicht',
    'todavía no',
    'pas encore',
    'ainda não',
    'non ancora',
  ];
  it.each(shortNo)('%j answering the fix notice is a report', (text) => {
    expect(shortNegative(text)).toBe(true);
    const tri = classify({ text, channel: 'sms' });
    expect(isStillBroken(outage, tri, text, AT, undefined, true)).toBe(true);
    expect(isStillBroken(outage, tri, text, AT)).toBe(saysStillBroken(text));
  });

  const notNo = [
    'nope, all fine now',
    'not anymore, thank you',
    'no problems since',
    'nope, no problems',
    '👍',
    'ok',
    'no 👍',
  ];
  it.each(notNo)('%j answering the fix notice is not', (text) => {
    expect(shortNegative(text)).toBe(false);
    expect(
      isStillBroken(outage, classify({ text, channel: 'sms' }), text, AT, undefined, true),
    ).toBe(false);
  });
});
