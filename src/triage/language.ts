/**
 * Language of a message as ISO 639-1, "und" when unknown.
 *
 * franc (trigram profiles) is accurate on sentences but slow (~150 µs with all languages) and
 * unreliable on the 5-10 word messages typical of care channels. So: non-Latin scripts decide
 * directly; for Latin text a vote of distinctive function words settles the common care languages
 * in a few µs; franc, limited to languages we map, handles what the vote cannot.
 */
import { franc } from 'franc';

// Distinctive function words; words shared across these languages ("a", "no", "de") left out.
// A Map, not an object: tokens are fresh strings, and a keyed look-up on an object internalises them.
const FUNCTION_WORDS = new Map<string, string>();
function words(lang: string, list: string): void {
  for (const w of list.split(' ')) FUNCTION_WORDS.set(w, lang);
}
words(
  'en',
  "the and is are was were you your my i it this that to of for with have has not be been can will just what why how when there they we our me don't it's i'm can't get got please thanks help again still since from about would should could any one out up who which",
);
words(
  'es',
  'el los las una del por para pero muy está están estoy tengo mi mis su sus que qué cómo cuando hola gracias ayuda favor necesito servicio hace ya también porque nada señal factura internet funciona sin nos tiene',
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
  'der die das und ist nicht ich sie mein meine mit für auf ein eine kein keine seit immer noch danke bitte hilfe funktioniert schon auch wir ihr habe haben wird',
);
words(
  'it',
  'il gli della che è non sono mio mia con per una anche grazie aiuto ancora sempre niente questo questa funziona perché siete ho hanno',
);
words(
  'nl',
  'het een niet ik je mijn met voor op zijn maar wel nog geen dank bedankt hulp werkt sinds altijd wij jullie heb hebben',
);

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
const FRANC_ONLY = Object.keys(ISO3_TO_1);

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
  const tokens = clean.toLowerCase().match(WORD);
  if (!tokens || tokens.length === 0) return 'und';
  const votes: Record<string, number> = {};
  let best = '';
  let bestVotes = 0;
  let second = 0;
  for (const t of tokens) {
    const lang = FUNCTION_WORDS.get(t);
    if (!lang) continue;
    const v = (votes[lang] ?? 0) + 1;
    votes[lang] = v;
    if (v > bestVotes) {
      if (lang !== best) second = bestVotes;
      best = lang;
      bestVotes = v;
    } else if (lang !== best && v > second) second = v;
  }
  // A clear lead of function words is more reliable than trigrams on short texts.
  if (bestVotes >= 2 && bestVotes >= second * 2) return best;
  if (bestVotes === 1 && second === 0 && tokens.length <= 4) return best;
  // English is the common case on these channels and franc often mistakes short English for
  // French or Italian; an English function word with no rival settles it.
  if (best === 'en' && second === 0) return 'en';
  // Arabic, Cyrillic, Devanagari etc. and Latin text the vote left open: let franc decide.
  if (clean.trim().length < 12) return 'und';
  const code = franc(clean, { minLength: 12, only: FRANC_ONLY });
  return ISO3_TO_1[code] ?? 'und';
}
