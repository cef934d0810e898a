/**
 * The part of a plain-text e-mail body the customer wrote this time. Mail clients quote the
 * whole thread below a reply; kept, every reply would repeat the case's history, and triage and
 * the problem detector would count old complaints again. But a cut that takes the customer's own
 * words is worse than a quote shown twice, so only a trailing quotation is cut, at the first of:
 * - an attribution line ("On <date>, <name> wrote:", also split over two lines as Gmail wraps
 *   it, and the German, French, Spanish and Portuguese forms) when nothing but `>` lines, blank
 *   lines and a signature follow it: an answer written between the quoted lines (inline) keeps
 *   the whole text, and `>` lines without an attribution above them are the customer's own;
 * - Outlook's header block, which quotes without `>`: "-----Original Message-----", or a
 *   "From:" line with an address (or right below a rule line) followed within a few lines by
 *   "Sent:"/"Date:" and "Subject:" (a "From: Berlin warehouse" line in a story is not one). Not
 *   in a forward (a Fwd:/FW: subject): there the header block opens what was forwarded;
 * - the RFC 3676 signature separator "-- "; a bare "--" only when what follows is a few short
 *   lines that read like a signature, not sentences.
 * A forwarded message ("---------- Forwarded message ---------", "Begin forwarded message:")
 * is kept below the customer's note, marked by that line: nothing at or after it is cut.
 * A trailing "Sent from my …" goes too. When nothing is left (a mail that is only a quotation),
 * the whole body is kept.
 */
const ATTRIBUTION = [
  /^\s*On\b.{0,400}\bwrote:\s*$/i,
  /^\s*Am\b.{0,400}\bschrieb.{0,200}:\s*$/i,
  /^\s*Le\b.{0,400}\ba écrit\s*:\s*$/i,
  /^\s*El\b.{0,400}\bescribió:\s*$/i,
  /^\s*Em\b.{0,400}\bescreveu:\s*$/i,
];
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Mensagem original)\s*-{2,}\s*$/i;
const FORWARDED =
  /^\s*(-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Mensagem encaminhada)\s*-{2,}|Begin forwarded message:)\s*$/i;
const FORWARD_SUBJECT = /^\s*(\[?(fwd?|fw|wg|tr|rv|enc|doorst)\]?\s*:)/i;
const HEADER_FROM = /^\s*\**From:\**\s+\S/i;
const HEADER_SENT = /^\s*\**(Sent|Date):\**\s+\S/i;
const HEADER_SUBJECT = /^\s*\**Subject:\**\s/i;
const ADDRESS = /[^\s<>@[\]:]+@[^\s<>@[\]]+\.[^\s<>@[\]]+/;
/** A horizontal rule: Outlook's "____…" line, an HTML <hr> turned into dashes. */
const RULE = /^\s*([-_=*])\1{9,}\s*$/;
const SENT_FROM = /^\s*Sent from my \S.{0,60}$/i;
const QUOTED = /^\s*>/;

function isAttribution(lines: string[], i: number): number {
  // Quoted itself ("> On Mon, … wrote:"), it opens a quotation all the same.
  const line = lines[i].replace(/^\s*(?:>\s*)+/, '');
  if (ATTRIBUTION.some((r) => r.test(line))) return 1;
  // Gmail wraps a long attribution: "On Mon, 3 Dec 2026 at 10:00, Ana Lima <ana@" / "x.com> wrote:".
  const next = lines[i + 1];
  if (next !== undefined && /^\s*(On|Am|Le|El|Em)\b/i.test(line) && line.length < 400) {
    if (ATTRIBUTION.some((r) => r.test(`${line} ${next}`))) return 2;
  }
  return 0;
}

function isHeaderBlock(lines: string[], i: number): boolean {
  if (ORIGINAL_MESSAGE.test(lines[i])) return true;
  if (!HEADER_FROM.test(lines[i])) return false;
  let above = i - 1;
  while (above >= 0 && lines[above].trim() === '') above--;
  if (!ADDRESS.test(lines[i]) && !(above >= 0 && RULE.test(lines[above]))) return false;
  const block = lines.slice(i + 1, i + 6);
  return block.some((l) => HEADER_SENT.test(l)) && block.some((l) => HEADER_SUBJECT.test(l));
}

/** Nothing from `from` on but quoted lines, blank lines and a signature; at least one quote. */
function onlyQuotesFrom(lines: string[], from: number): boolean {
  let quoted = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    if (line === '-- ') return quoted;
    if (QUOTED.test(line)) quoted = true;
    else if (line.trim() !== '' && !SENT_FROM.test(line)) return false;
  }
  return quoted;
}

/** A few short lines, none a sentence: a name, a title, a phone number, a web address. */
function signatureTail(lines: string[], from: number): boolean {
  const tail = lines.slice(from).filter((l) => l.trim() !== '');
  if (tail.length === 0 || tail.length > 6) return false;
  return tail.every((l) => {
    const s = l.trim();
    const contact = /[@\d]|www\.|https?:/i.test(s);
    const sentence = /[.!?:;]$/.test(s) && !contact;
    return s.length <= 60 && s.split(/\s+/).length <= 8 && !sentence;
  });
}

/** Where the trailing quotation starts (lines.length: none). */
function cutAt(lines: string[], forward: boolean): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (FORWARDED.test(line)) break;
    const attribution = isAttribution(lines, i);
    if (attribution && onlyQuotesFrom(lines, i + attribution)) return i;
    if (!forward && isHeaderBlock(lines, i)) return i;
    if (line === '-- ') return i;
    if (line === '--' && signatureTail(lines, i + 1)) return i;
  }
  return lines.length;
}

export function newPartOf(body: string, subject?: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const cut = cutAt(lines, FORWARD_SUBJECT.test(subject ?? ''));
  const kept = lines.slice(0, cut);
  // The rule a client drew above the quotation it opens goes with it.
  const blankOrRule = (l: string) => l.trim() === '' || RULE.test(l);
  while (cut < lines.length && kept.length && blankOrRule(kept.at(-1)!)) kept.pop();
  while (kept.length && SENT_FROM.test(kept.at(-1)!)) kept.pop();
  const text = kept
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text || body.trim();
}
