/**
 * Language of a message as ISO 639-1, "und" when unknown.
 *
 * franc (trigram profiles) is accurate on sentences but slow (~150 µs with all languages) and
 * unreliable on the 5-10 word messages typical of care channels. So: non-Latin scripts decide
 * directly; for Latin text a vote of distinctive function words settles the common care languages
 * in a few µs; franc, limited to languages we map, handles what the vote cannot (its ranking
 * over its data, precomputed for our languages in trigram-language.ts: same answers, ~10x faster).
 */

import { isShortTroubleText } from './short-trouble.js';
import { isAscii } from './text.js';
import { trigramLanguageDetector } from './trigram-language.js';
import { FNV_OFFSET, FNV_PRIME, WordTable } from './word-table.js';

// Distinctive function words; words shared across these languages ("a", "no", "de") left out.
// Word -> index in VOTED; a WordTable, not a Map or an object, because tokens are fresh strings
// (word-table.ts says why that matters).
const VOTED: string[] = [];
const functionWords: [string, number][] = [];
function words(lang: string, list: string): void {
  let index = VOTED.indexOf(lang);
  if (index === -1) index = VOTED.push(lang) - 1;
  for (const w of list.split(' ')) functionWords.push([w, index]);
}
words(
  'en',
  "the and is are was were you your my i it this that to of for with have has not be been can will just what why how when there they we our me don't it's i'm can't get got please thanks help again still since from about would should could any one out up who which",
);
// Words of English care messages that the other voted languages do not use, even as loanwords
// (no router, wifi, app, support, data, plan): without them a short message with no function
// word ("router keeps rebooting", "no signal in Leeds") went to the trigrams, which take most
// such texts for another language.
words(
  'en',
  'signal outage broadband overcharged charged refund billing bill phone network coverage connection customer account contract cancel working broken down slow dropped keeps rebooting sucks awful terrible worst fix fixed waiting hours days week weeks called calls delivery delivered technician engineer speeds bars great job guys love awesome amazing thank thx',
);
words(
  'es',
  'el los las una del por para pero muy está están estoy tengo mi mis su sus que qué cómo cuando hola gracias ayuda favor necesito servicio hace ya también porque nada señal factura funciona sin nos tiene otra vez lento',
);
words(
  'pt',
  'não nao é você voce meu minha seu sua uma um os das dos pelo pela muito está estou tenho obrigado obrigada ajuda favor preciso serviço já também porque nada sinal conta funciona sem então isso',
);
words(
  'fr',
  'le les des une est et je vous mon ma mes pas avec pour sur dans mais très merci aide depuis toujours rien ça cela votre nous sont suis fait être aussi',
);
words(
  'de',
  'der die das und ist nicht ich sie mein meine mit für auf ein eine kein keine seit immer noch danke bitte hilfe funktioniert schon auch wir ihr habe haben wird kaputt gestern',
);
words(
  'it',
  'il gli della che è non sono mio mia con per una anche grazie aiuto ancora sempre niente questo questa funziona perché siete ho hanno',
);
words(
  'nl',
  'het een niet ik je mijn met voor op zijn maar wel nog geen dank bedankt hulp werkt sinds altijd wij jullie heb hebben',
);
// Cyrillic: words Russian and Ukrainian do not share (trigrams alone often took one for the other).
words(
  'ru',
  'меня мне работает здравствуйте что это как мой нет очень уже почему спасибо пожалуйста когда был была есть все вы',
);
words(
  'uk',
  'мене мені працює вітаю що це як мій немає дуже вже чому дякую будь ласка коли був була є всі ви',
);

const FUNCTION_WORDS = new WordTable(functionWords);
/** Votes per VOTED language for the message being classified (reset on each call). */
const votes = new Int32Array(VOTED.length);
const EN = VOTED.indexOf('en');

const ISO3_TO_1: Record<string, string> = {
  eng: 'en',
  spa: 'es',
  por: 'pt',
  fra: 'fr',
  deu: 'de',
  ita: 'it',
  nld: 'nl',
  hin: 'hi',
  arb: 'ar',
  rus: 'ru',
  ukr: 'uk',
  tur: 'tr',
  ind: 'id',
  zlm: 'ms',
  jpn: 'ja',
  cmn: 'zh',
  kor: 'ko',
  pol: 'pl',
  swe: 'sv',
  vie: 'vi',
  tha: 'th',
  ron: 'ro',
  tgl: 'tl',
  swh: 'sw',
  ell: 'el',
  heb: 'he',
  ces: 'cs',
  dan: 'da',
  fin: 'fi',
  nob: 'nb',
  hun: 'hu',
  ben: 'bn',
  urd: 'ur',
  pes: 'fa',
  hau: 'ha',
  yor: 'yo',
  ibo: 'ig',
  tam: 'ta',
  tel: 'te',
  mar: 'mr',
};
/** The languages franc may answer. Exported for the test that compares francLanguage with franc. */
export const FRANC_ONLY = Object.keys(ISO3_TO_1);
/** franc(text, { minLength: 12, only: FRANC_ONLY }), precomputed (trigram-language.ts). */
export const francLanguage = trigramLanguageDetector(FRANC_ONLY, 12);

const SCRIPT_RULES: [RegExp, string][] = [
  [/[\u3040-\u30ff]/, 'ja'],
  [/[\uac00-\ud7af]/, 'ko'],
  [/[\u4e00-\u9fff]/, 'zh'],
  [/[\u0e00-\u0e7f]/, 'th'],
  [/[\u0590-\u05ff]/, 'he'],
  [/[\u0370-\u03ff]/, 'el'],
  [/[\u0980-\u09ff]/, 'bn'],
  [/[\u0b80-\u0bff]/, 'ta'],
];

// Any character outside Latin, so the common all-Latin message skips the eight script scans.
const BEYOND_LATIN = /[\u0370-\uffff]/;
const STRIP = /(?:https?:\/\/\S+|www\.\S+|@\w+|#\w+|\d+)/g;
const WORD = /[\p{L}']+/gu;

export function detectLanguage(text: string): string {
  const clean = text.replace(STRIP, ' ');
  if (BEYOND_LATIN.test(clean)) {
    for (const [re, lang] of SCRIPT_RULES) if (re.test(clean)) return lang;
  }
  const lower = clean.toLowerCase();
  const tokens = isAscii(lower) ? voteAscii(lower) : voteTokens(lower.match(WORD));
  if (tokens === 0) return 'und';
  const { best, bestVotes, second } = tally;
  // A clear lead of function words is more reliable than trigrams on short texts.
  if (bestVotes >= 2 && bestVotes >= second * 2) return VOTED[best];
  if (bestVotes === 1 && second === 0 && tokens <= 4) return VOTED[best];
  // English is the common case on these channels and franc often mistakes short English for
  // French or Italian; an English function word with no rival settles it.
  if (best === EN && second === 0) return 'en';
  // No function word at all ("no service in 94110", "lost service 30301"): trigrams over two or
  // three words guess Italian or Spanish. An English trouble phrase of short-trouble.ts decides.
  if (bestVotes === 0 && isShortTroubleText(clean)) return 'en';
  // Arabic, Cyrillic, Devanagari etc. and Latin text the vote left open: let franc decide.
  if (clean.trim().length < 12) return 'und';
  const code = francLanguage(clean);
  return ISO3_TO_1[code] ?? 'und';
}

/** The function-word vote of the message being classified (reset by startVote). */
const tally = { best: -1, bestVotes: 0, second: 0 };

function startVote(): void {
  votes.fill(0);
  tally.best = -1;
  tally.bestVotes = 0;
  tally.second = 0;
}

function vote(lang: number): void {
  const v = ++votes[lang];
  if (v > tally.bestVotes) {
    if (lang !== tally.best) tally.second = tally.bestVotes;
    tally.best = lang;
    tally.bestVotes = v;
  } else if (lang !== tally.best && v > tally.second) tally.second = v;
}

/** Votes of the WORD tokens; returns how many tokens there are. */
function voteTokens(tokens: RegExpMatchArray | null): number {
  startVote();
  if (!tokens) return 0;
  for (const t of tokens) {
    const lang = FUNCTION_WORDS.get(t);
    if (lang !== undefined) vote(lang);
  }
  return tokens.length;
}

/**
 * voteTokens(text.match(WORD)) for lower-case ASCII text, where a WORD token is a run of a-z and
 * apostrophes: scanned in place, hashing as it goes, so no token string is made. This is the
 * common case, and the regex with its token strings was most of the language time.
 */
function voteAscii(text: string): number {
  startVote();
  let tokens = 0;
  let start = -1;
  let h = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if ((c >= 97 && c <= 122) || c === 39) {
      if (start < 0) {
        start = i;
        h = FNV_OFFSET;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
    } else if (start >= 0) {
      tokens++;
      const lang = FUNCTION_WORDS.getSlice(text, start, i, h >>> 0);
      if (lang !== undefined) vote(lang);
      start = -1;
    }
  }
  return tokens;
}
