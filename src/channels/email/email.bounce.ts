import type { AddressObject, ParsedMail } from 'mailparser';
import type { MarkError } from '../channel.marks.js';

/** A mail about the delivery of one of ours: `failed` names our Message-IDs that bounced. */
export interface Bounce {
  kind: 'bounce';
  failed: string[];
  reason: string;
  /**
   * What the receiving server said, when the bounce says it (a DSN's `Status` and
   * `Diagnostic-Code`, RFC 3464 §2.3.4 and §2.3.6; an enhanced status code in a plain bounce):
   * the agent reads it in the case history's `reply_failed`, as other providers' reasons.
   */
  error?: MarkError;
}

/** Mail systems' own mailboxes (RFC 5321 §4.5.1 postmaster; sendmail's, Exim's MAILER-DAEMON). */
const DAEMON = /^(mailer-daemon|mail-daemon|postmaster)(@|$)/i;
/** qmail's bounce (no DSN, no header of its own): the text is its only sign. */
const QMAIL =
  /\bThis is the qmail-send program\b|^--- (Below this line is a copy of the message|Enclosed (is a copy of the request I received|are the original headers of the message))/im;
/** A warning that the MTA is still trying: the delivery has not failed (sendmail, Exim, Postfix, Exchange). */
const DELAY =
  /\b(warning message only|could not send message for past|still being retried|will (keep|continue) trying|will (be )?retr(y|ied)|has been delayed|delivery (status notification )?\(?delay(ed)?\)?|delayed mail)\b/i;

/** What a bounce without a DSN says; with a null sender, it tells a bounce from an auto-reply. */
const FAILURE =
  /\b(undeliver(able|ed)|delivery (has |to the following recipients? )?failed|could not be delivered|(was|is)n't able to deliver|returned mail|permanent (error|failure)|mailbox (unavailable|not found|full))\b/i;

const addressOf = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value).find((v) => v.address)?.address;

/** The topmost Return-Path is `<>`: RFC 5321's null reverse-path, used for bounces and auto-replies. */
export function hasNullSender(mail: Pick<ParsedMail, 'headerLines'>): boolean {
  const line = mail.headerLines.find((h) => h.key === 'return-path')?.line;
  return line !== undefined && /^return-path:\s*<\s*>\s*$/i.test(line.trim());
}

/**
 * A delivery status notification, or undefined. Recognised: an RFC 3464 report
 * (multipart/report; report-type=delivery-status); mail from a mail system's own mailbox
 * (MAILER-DAEMON, postmaster) or naming X-Failed-Recipients, whatever other headers it has,
 * since no customer writes from there; a qmail "failure notice", known by its text; and mail with
 * a null sender (Return-Path: <>) whose subject or text says a delivery failed (without that, a
 * null sender is an auto-reply: email.auto.ts). In a report only `Action: failed` fails
 * a delivery; elsewhere the bounce fails it unless its text says it is a delay warning. The
 * returned message's id comes from its attached copy (message/rfc822, text/rfc822-headers) or,
 * in the plain-text bounces, from the copy quoted in the body.
 */
export function bounceOf(mail: ParsedMail, raw: Buffer): Bounce | undefined {
  const ct = mail.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const isReport =
    ct?.value?.toLowerCase() === 'multipart/report' &&
    (ct.params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
  const daemon = DAEMON.test(addressOf(mail.from) ?? '') || mail.headers.has('x-failed-recipients');
  const text = raw.toString('latin1');
  const headerEnd = text.search(/\r?\n\r?\n/);
  const body = headerEnd < 0 ? '' : text.slice(headerEnd);
  const said = `${mail.subject ?? ''}\n${mail.text ?? ''}`;
  const textual = QMAIL.test(mail.text ?? '') || (hasNullSender(mail) && FAILURE.test(said));
  if (!isReport && !daemon && !textual) return undefined;
  // mailparser does not hand out the message/delivery-status part; its fields are plain
  // "Name: value" lines that occur nowhere else in a report, so the bytes are searched.
  const failed = isReport ? /^Action:[ \t]*failed\b/im.test(text) : !DELAY.test(said);
  const original: string[] = [];
  for (const m of text.matchAll(/^Content-Type:[ \t]*(message\/rfc822|text\/rfc822-headers)/gim)) {
    // The first Message-ID header of the returned copy (the bounce's own comes before it).
    const id = /^Message-ID:[ \t]*(<[^<>\s]+>)/im.exec(text.slice(m.index))?.[1];
    if (id) original.push(id);
  }
  if (original.length === 0 && !isReport) {
    // A copy quoted in the text (qmail, many daemons): its Message-ID lines, below our headers.
    for (const m of body.matchAll(/^Message-ID:[ \t]*(<[^<>\s]+>)/gim)) original.push(m[1]);
  }
  const firstCopy = text.search(/^Content-Type:[ \t]*(message\/rfc822|text\/rfc822-headers)/im);
  const report = text.slice(Math.max(headerEnd, 0), firstCopy < 0 ? text.length : firstCopy);
  const error = failed ? bounceError(report, isReport) : undefined;
  return {
    kind: 'bounce',
    failed: failed ? [...new Set(original)] : [],
    reason: failed ? 'delivery failed' : 'delivery delayed (warning only)',
    ...(error ? { error } : {}),
  };
}

/** An RFC 3463 enhanced status code: class 2, 4 or 5, subject, detail. */
const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/**
 * Why a bounce failed, from the text before the returned copy (a copy's own headers, such as an
 * mbox `Status: RO`, are not the report's). In a DSN, the first per-recipient block that failed
 * gives its `Status` and `Diagnostic-Code` (folded lines joined); in a plain bounce, the first
 * line naming a 4.x.x/5.x.x code. The recipient is not named (the agent knows who it was to).
 */
function bounceError(text: string, isReport: boolean): MarkError | undefined {
  if (isReport) {
    const blocks = text.split(/\r?\n[ \t]*\r?\n/);
    const block =
      blocks.find((b) => /^Action:[ \t]*failed\b/im.test(b) && /^Status:/im.test(b)) ??
      blocks.find((b) => /^Status:[ \t]*[245]\./im.test(b));
    if (!block) return undefined;
    const code = ENHANCED.exec(dsnField(block, 'status') ?? '')?.[0];
    const diagnostic = dsnField(block, 'diagnostic-code');
    if (!code && !diagnostic) return undefined;
    return mailError(code, diagnostic);
  }
  const line = text.split(/\r?\n/).find((l) => /\b[45]\.\d{1,3}\.\d{1,3}\b/.test(l));
  if (!line) return undefined;
  return mailError(ENHANCED.exec(line)?.[0], line);
}

/** A DSN field's value, its folded lines joined (RFC 5322 §2.2.3). */
function dsnField(block: string, name: string): string | undefined {
  const re = new RegExp(`^${name}[ \\t]*:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im');
  const m = re.exec(block);
  return m ? m[1].replace(/\s+/g, ' ').trim() : undefined;
}

/**
 * The agent's words for a bounce: the status code and the server's text, trimmed and bounded.
 * A server's diagnostic is free text from outside; anything that looks like a credential (a URL's
 * user:password, `password=…`, `token: …`) is blanked before it is stored in the history.
 */
function mailError(code: string | undefined, diagnostic: string | undefined): MarkError {
  const said = (diagnostic ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\/\/[^\s/@:]+:[^\s/@]+@/g, '//…@')
    .replace(/\b(pass(word|wd)?|pwd|token|secret|api[-_]?key|auth)\b\s*[=:]\s*\S+/gi, '$1=…')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
  return {
    ...(code ? { code } : {}),
    reason: `E-mail bounced${code ? ` (${code})` : ''}: ${said || 'no diagnostic given'}`,
  };
}
