import { foldApostrophes } from '../triage/text.js';
import { saysStillBrokenIntl } from './still-broken.intl.js';

/*
 * The words of a "still broken" reply (`still-broken.ts` decides with them what counts): phrases
 * that say the trouble is not gone, in English and in the desk's other common languages (es, de,
 * fr, pt, it), the "works again" phrases taken out before them, and the short negative answers
 * ("nope", "👎") that mean "still broken" only as an answer to the fix notice.
 */

/** What a service can be without (`no signal`, `still no internet`). */
const SERVICE =
  '(?:signal|service|internet|connection|connectivity|coverage|network|data|wi[- ]?fi|broadband|dial ?tone|bars)';

/**
 * Phrases that say the trouble is not gone. Whole phrases only: a bare "still" or "again" is
 * as often thanks ("working again", "Still, thanks for sorting it") as a complaint.
 */
const STILL_BROKEN = new RegExp(
  [
    // still not / still no signal / still down / still can't call / still having issues
    String.raw`\bstill (?:not|no|nothing|none|down|broken|dead|out|offline|failing|dropping|the same|same|without|unable|can't|cannot|can not|won't|isn't|aren't|doesn't|don't|haven't|hasn't|have no|has no|got no|an? (?:issue|problem|outage))\b`,
    String.raw`\bstill (?:having|getting|seeing|experiencing|facing) (?:\w+ )?(?:issues?|problems?|trouble|errors?|outages?|drops?|no)\b`,
    // down again, dropped again, stopped again
    String.raw`\b(?:down|broken|dead|died|offline|dropped|dropped out|dropping|failing|failed|stopped|gone|cut off|cut out|cutting out|went (?:down|out|off)) again\b`,
    // "keeps dropping", "it's back but keeps cutting out every few minutes"
    String.raw`\bkeeps? (?:on )?(?:dropping|cutting (?:out|off)|disconnecting|going (?:down|off|out)|failing|crashing|freezing|buffering|dying|losing (?:the )?(?:signal|connection|service|internet))\b`,
    // "still waiting for it to come back" (not "still waiting for a reply": that is no verdict)
    String.raw`\bstill waiting (?:for|on) (?:it|[a-z' ]{1,25}?) to (?:come back|come on|work|be fixed|be restored|be back|return|reconnect)\b`,
    String.raw`\bstopped (?:working|again)\b`,
    String.raw`\bno longer (?:works|working|connects|connecting)\b`,
    // not working / doesn't work / isn't fixed / not resolved
    // ("can't work out why, thanks" and "don't work too hard" are not about the service)
    String.raw`(?:\bnot|n't|\bnever) (?:works?|working|fixed|resolved|back)\b(?! (?:out|too|hard|from|on)\b)`,
    String.raw`\bsame (?:old )?(?:problem|issue|thing|story|trouble)\b`,
    String.raw`\b(?:nothing (?:has |'s )?changed|no change|no difference|no improvement|nothing works|nothing(?: is|'s) working)\b`,
    // "it didn't fix anything", "the fix did not help"
    // ("I didn't change anything and it works now" is no complaint: "change" is left out)
    String.raw`(?:n't|\bnot) (?:fix|solve|resolve|help) (?:anything|a thing|it|the (?:problem|issue))\b`,
    // Not when denied: "it hasn't happened again", "nothing happened again".
    String.raw`(?<!(?:n't|\bnot|\bnever|\bnothing) )\b(?:happened|happening) again\b`,
  ].join('|'),
  'i',
);

/**
 * The trouble itself back ("the problem is back", "issue came back", "outage is back again"):
 * looked for before `WORKS_AGAIN` is taken out, which reads "is back" and "back again" as
 * service restored. Only with a word for the trouble as its subject: "signal came back" is thanks;
 * and said, not asked or supposed (`asksOrSupposes`): "will the problem come back?", "let me
 * know if the outage returned tonight". ("Never had the issue again" has no verb of return.)
 */
const TROUBLE_BACK =
  /(?<!\b(?:no|any|without) )\b(?:problem|issue|outage|trouble|fault|same thing)s? (?:is |are |has |have |'s |'re |keeps? )?(?:back|came back|coming back|returned)\b/gi;

/** A question or a condition around a phrase: what comes before it in its clause, and after. */
function asksOrSupposes(t: string, start: number, end: number): boolean {
  const before =
    t
      .slice(Math.max(0, start - 40), start)
      .split(/[.!?,;]/)
      .pop() ?? '';
  const after = t.slice(end).split(/[.!,;]/)[0] ?? '';
  return (
    /\b(?:if|whether|will|would|could|might|in case|what if|hope)\b/.test(before) ||
    after.includes('?')
  );
}

function troubleBack(t: string): boolean {
  for (const m of t.matchAll(TROUBLE_BACK))
    if (!asksOrSupposes(t, m.index, m.index + m[0].length)) return true;
  return false;
}

/**
 * Phrases that say it works (removed before `STILL_BROKEN` is looked for, and a reply with one
 * and no complaint left is not evidence against the fix): "working again", "back online",
 * "had no signal all morning" (the past), "no more issues".
 */
const WORKS_AGAIN = new RegExp(
  [
    String.raw`(?<!\bnot |n't |\bnever |\bstopped )\b(?:working|works|work|back|up|online|fine|ok|okay|connected|running) again\b`,
    String.raw`(?<!\bnothing ?)(?:\bis|\bit's|\bare|'s|\ball|\beverything is) (?:back|fixed|resolved|working|sorted)\b`,
    String.raw`\bback (?:on|up|online|to normal)\b`,
    String.raw`\b(?:had|was|were|have had|has had) no ${SERVICE}\b`,
    String.raw`\bno (?:more )?(?:${SERVICE} )?(?:issues?|problems?|outages?|drops?)\b`,
    String.raw`\ball good\b`,
    // "it hasn't happened again", "never had the issue since"
    String.raw`(?:n't|\bnot|\bnever) (?:happened|had (?:a |the |any )?(?:problems?|issues?|trouble|outages?)) (?:again|since)\b`,
  ].join('|'),
  'gi',
);

/**
 * The fix asked about and denied ("fixed? lol no", "working again? nope"), or denied at the end
 * of the reply ("who said it is fixed, it is not", "no, it isn't"): read before `WORKS_AGAIN` is
 * taken out, which would take "working again" and "is fixed" for thanks.
 */
const DENIED =
  /\b(?:fixed|resolved|sorted|working|back|fine|works)(?: again| now)?\s*\?+\s*(?:(?:lol|lmao|haha|ha|um|uh|er|erm|well|yeah|ya)[\s,.!]*)*(?:no|nope|nah|not)\b|(?:^|[,.;!?] *|\bbut )(?:(?:no|nope|nah),? )?(?:it|that)(?: is|'s| has) (?:still )?not(?: been)?(?: fixed| working| back| resolved)?[.! ]*$|(?:^|[,.;!?] *|\bbut )(?:(?:no|nope|nah),? )?(?:it|that) (?:still )?(?:isn't|wasn't|hasn't)(?: been)?(?: fixed| working| back| resolved)?[.! ]*$/;

/**
 * Lower-cased text with typographic apostrophes made plain (`doesn’t` is `doesn't`) and hyphens
 * between words read as spaces (`still-down`).
 */
export function plain(text: string): string {
  return foldApostrophes(text)
    .replace(/(?<=\p{L})-(?=\p{L})/gu, ' ')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** Whether a reply says in words that the trouble is still there (see `STILL_BROKEN`). */
export function saysStillBroken(text: string): boolean {
  const t = plain(text);
  return (
    troubleBack(t) ||
    DENIED.test(t.trim()) ||
    STILL_BROKEN.test(t.replace(WORKS_AGAIN, ' ')) ||
    saysStillBrokenIntl(t)
  );
}

/** Words that quote what someone else said works ("your tweet says it is fixed. it is not"). */
const QUOTED =
  /\b(?:said|says|say|saying|claim(?:s|ed)?|tweet(?:ed)?|supposedly|apparently|told me|status page|you think)\b[^.!?]{0,30}$/;

/**
 * Whether a reply says in words that it works again, in the customer's own voice: a "works"
 * phrase after "you said", "your tweet says" is the customer quoting the fix, not confirming it.
 */
export function saysItWorks(text: string): boolean {
  const t = plain(text);
  for (const m of t.matchAll(WORKS_AGAIN)) {
    if (!QUOTED.test(t.slice(Math.max(0, m.index - 60), m.index))) return true;
  }
  return false;
}
