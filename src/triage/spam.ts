/**
 * Spam, bot and promotion flags. Rules over cheap shape cues: link and hashtag density,
 * giveaway/marketing phrasing, and the fixed phrasings apps post on a user's behalf.
 */
import { anyOf } from './any-of.js';
import { URL_RE } from './text.js';

const PROMO_RE =
  /\b(?:giveaway|give away|(?:enter|chance) to win|retweet (?:and|&|to)|rt (?:and|&|to) (?:win|follow)|follow (?:us|and|&) |use (?:my |the )?code|promo code|discount code|\d+% off|shop now|buy now|order now|limited time|free shipping on|sign up (?:now|today)|link in (?:bio|profile)|click (?:here|the link)|dm (?:me|us) (?:for|to) (?:buy|order|price)|(?:use|using|with|via) my (?:referral|invite|affiliate) (?:link|code)|check out (?:my|our) (?:new|latest)|subscribe to my|we'?re hiring)\b/i;
// A currency or a word alone is not spam: "Can I pay my bill with bitcoin?", "charged for an xxx
// channel I never ordered" are customers; what is sold with it is.
const SPAM_RE =
  /\b(?:(?:make|earn) \$?\d[\d,]*k? ?(?:a|per|\/) ?(?:day|week|month)|work(?:ing)? from home and earn|earn money|(?:bitcoin|btc|crypto(?:currency)?) (?:signals|investment|trading|giveaway|mining|profits?)|forex|binary options|guaranteed (?:income|returns)|followers? (?:for sale|cheap)|buy followers|follow me (?:\W*follow me\b){2,}|follow (?:4|for) follow|onlyfans|xxx (?:videos?|pics?|cams?|content|site|chat)|hot singles|cash app (?:flip|giveaway)|loan approved|click to claim|you(?:'ve| have) won|(?:win|claim) (?:a |your )?free (?:iphone|ipad|samsung|gift ?card|prize|vacation|cruise))\b/i;
// Texts apps post for users ("I just ..." + link, "via @app") — not people asking for help.
const BOT_RE =
  /(?:^|\s)(?:i just (?:earned|unlocked|completed|finished|checked in|ran|walked|had an intense)|i(?:'m| am) at .+ (?:in|on) .+https?:\/\/|check out this (?:awesome )?(?:game|app|video) i found|via @\w+\s*$|#(?:nowplaying|ad|sponsored)\b|(?:automatically|auto-?) (?:posted|generated)|(?:new|latest) (?:post|video|episode) (?:is )?(?:up|live)?[:!]? ?https?:\/\/)/i;

// An offer pushed at the reader. With a shortened link it is an advert (QA replay: 25 accounts
// posting "get FREE unlimited data 👉 bit.ly/fr33data claim now" were triaged as complaints);
// "free" said by a customer ("you said installation was free") is not shouted in capitals.
const OFFER_RE =
  /\b(?:claim (?:it |yours |your \w+ )?(?:now|today|here)|claim yours|act now|don'?t miss (?:out|this)|while (?:stocks?|supplies) last|100% free|risk[- ]free)\b/i;
const SHOUTED_FREE_RE = /\bFREE\b/;
// An advert speaks to the reader; a customer who shouts "FREE" tells what happened to them ("I
// was promised a FREE router … order details bit.ly/…").
const FIRST_PERSON_RE = /\b(?:I|[Mm]y|[Ww]e|[Oo]ur)\b/;
// Link shorteners that hide where a link goes, written without "https://" as adverts do. Not
// t.co: Twitter wraps every link a customer posts (a photo of the outage map) in one.
const SHORT_LINK_RE =
  /\b(?:bit\.ly|tinyurl\.com|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|t\.ly|rebrand\.ly|buff\.ly|adf\.ly|shorte\.st)\/\S+/i;

// A customer asking about a scam ("you've won a free iPhone from Verizon, is this real or
// phishing?") quotes spam's words; spam does not call itself a scam.
const REPORTED_RE =
  /\b(?:phishing|scam\w*|spam\w*|fraud\w*|fake|is (?:this|it|that) (?:real|legit\w*|genuine|you|from you))\b/i;

// The words of a link are the sender's, not a reader's verdict: "fake-prizes.example.com" or
// "spam.example" call nothing a scam.
const SHORT_LINKS_RE = new RegExp(SHORT_LINK_RE.source, 'gi');
const withoutLinks = (text: string) => text.replace(URL_RE, ' ').replace(SHORT_LINKS_RE, ' ');

// One scan settles the common case of none of them matching (see anyOf).
const ANY_PHRASE = anyOf([PROMO_RE, SPAM_RE, BOT_RE, OFFER_RE, SHORT_LINK_RE]);

export interface SpamFlags {
  spam: boolean;
  bot: boolean;
  promo: boolean;
  /**
   * Spam by its words (a pitch, an offer at a shortened link), which no complaint is. Spam by its
   * shape alone (six hashtags, three links) may be a customer's: "#disappointed … #broken".
   */
  advert: boolean;
}

export function spamFlags(text: string): SpamFlags {
  const { links, tags, mentions } = countMarks(text);
  const phrase = ANY_PHRASE.test(text);
  const shortLink = phrase && SHORT_LINK_RE.test(text);
  const offer = phrase && OFFER_RE.test(text);
  const promo = (phrase && PROMO_RE.test(text)) || (offer && (links >= 1 || shortLink));
  const bot = phrase && BOT_RE.test(text);
  // An offer pointing at a shortened link is an advert like a money-making pitch: spam, unless
  // the writer asks whether it is real. Link farms and mention blasts are spam whatever the words.
  const advert =
    (phrase && SPAM_RE.test(text)) ||
    (shortLink &&
      (offer || (SHOUTED_FREE_RE.test(text) && !FIRST_PERSON_RE.test(withoutLinks(text)))));
  const pitched = advert && !REPORTED_RE.test(withoutLinks(text));
  const spam =
    pitched || links >= 3 || tags >= 6 || mentions >= 8 || (promo && links >= 1 && tags >= 3);
  return { spam, bot, promo, advert: pitched };
}

/**
 * Counts, in one pass, what /https?:\/\//g, /#\w+/g and /@\w+/g would match: a link start, and a
 * # or @ followed by a word character (\w never takes in # or @, so each such mark is one match).
 */
function countMarks(text: string): { links: number; tags: number; mentions: number } {
  let links = 0;
  let tags = 0;
  let mentions = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      if (isWordChar(text.charCodeAt(i + 1))) tags++;
    } else if (c === 64 /* @ */) {
      if (isWordChar(text.charCodeAt(i + 1))) mentions++;
    } else if (
      c === 104 /* h */ &&
      (text.startsWith('http://', i) || text.startsWith('https://', i))
    ) {
      links++;
    }
  }
  return { links, tags, mentions };
}

/** \w without the u flag: A-Z, a-z, 0-9 and _. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
