/**
 * The part of a plain-text e-mail body the customer wrote this time. Mail clients quote the
 * whole thread below (or above) a reply; kept, every reply would repeat the case's history, and
 * triage and the problem detector would count old complaints again. Cut, in order:
 * - at an attribution line ("On <date>, <name> wrote:", also split over two lines as Gmail
 *   wraps it, and the German, French, Spanish and Portuguese forms), or Outlook's
 *   "-----Original Message-----" / "From: … Sent: …" header block;
 * - every line quoted with ">";
 * - at the RFC 3676 signature separator ("-- ") and below, and a trailing "Sent from my …".
 * When nothing is left (a mail that is only a quotation, e.g. a forward without a word), the
 * whole body is kept: losing what the customer sent is worse than showing a quote.
 */
const ATTRIBUTION = [
  /^\s*On\b.{0,400}\bwrote:\s*$/i,
  /^\s*Am\b.{0,400}\bschrieb.{0,200}:\s*$/i,
  /^\s*Le\b.{0,400}\ba écrit\s*:\s*$/i,
  /^\s*El\b.{0,400}\bescribió:\s*$/i,
  /^\s*Em\b.{0,400}\bescreveu:\s*$/i,
  /^\s*-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
];
const OUTLOOK_HEADER = /^\s*\**From:\**\s.+$/i;
const OUTLOOK_NEXT = /^\s*\**(Sent|Date|To|Subject):\**\s/i;
const SENT_FROM = /^\s*Sent from my \S.{0,60}$/i;

function isAttribution(lines: string[], i: number): boolean {
  const line = lines[i];
  if (ATTRIBUTION.some((r) => r.test(line))) return true;
  // Gmail wraps a long attribution: "On Mon, 3 Dec 2026 at 10:00, Ana Lima <ana@" / "x.com> wrote:".
  const next = lines[i + 1];
  if (next !== undefined && /^\s*(On|Am|Le|El|Em)\b/i.test(line) && line.length < 400) {
    return ATTRIBUTION.slice(0, 5).some((r) => r.test(`${line} ${next}`));
  }
  // Outlook: a "From:" line followed within two lines by Sent/Date/To/Subject.
  if (OUTLOOK_HEADER.test(line)) {
    return lines.slice(i + 1, i + 3).some((l) => OUTLOOK_NEXT.test(l));
  }
  return false;
}

export function newPartOf(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isAttribution(lines, i)) break;
    if (line === '-- ' || line === '--') break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  while (kept.length && SENT_FROM.test(kept.at(-1)!)) kept.pop();
  const text = kept
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text || body.trim();
}
