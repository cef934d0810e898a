import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { InboundMessage } from '../../ingest/inbound.schema.js';
import { EARLIEST_SENT_AT } from '../../ingest/inbound.time.js';
import { dmarcProblem } from './email.auth.js';
import { autoReplyReason } from './email.auto.js';
import { type Bounce, bounceOf } from './email.bounce.js';
import { declareLatin1Parts, utf8Headers } from './email.charset.js';
import { type PartSize, withTrueSizes } from './email.cut.js';
import { withoutHiddenUrls } from './email.html.js';
import { newPartOf } from './email.quote.js';
import { boundedReferences } from './email.references.js';
import { declaresUtf7, decodeUtf7 } from './email.utf7.js';

/** What one mail from the mailbox is to the desk. */
export type ClassifiedMail =
  | {
      kind: 'message';
      message: InboundMessage;
      /** Ids this mail answers, nearest first (In-Reply-To, then References newest first). */
      parents: string[];
    }
  /** A delivery status notification: `failed` names the Message-IDs of ours that bounced. */
  | Bounce
  /** Not a customer speaking (auto-reply, our own mail): no case, nothing sent back. */
  | { kind: 'skip'; reason: string; externalId: string }
  /** Unusable: parked with the reason, the mailbox goes on. */
  | { kind: 'bad'; reason: string; externalId: string };

export interface MailContext {
  channelId: string;
  /** Lower-case addresses we send from: mail from them is a loop or a copy, never a customer. */
  ownAddresses: ReadonlySet<string>;
  /** The server's INTERNALDATE: when the mailbox got it (the Date header may be missing). */
  internalDate?: Date;
  /** Only the mail's first bytes were read: its attachments' true sizes (email.cut.ts). */
  cutParts?: PartSize[];
}

const MSG_ID = /<[^<>\s]+>/g;

/** Message-IDs in a header value, with their angle brackets (the form our outbound ids have). */
export function messageIds(v: string | string[] | undefined): string[] {
  const all = (Array.isArray(v) ? v.join(' ') : (v ?? '')).match(MSG_ID) ?? [];
  return all.filter((id) => id.length <= 500);
}

/**
 * The id the inbound log dedupes this mail by: its Message-ID, else a hash of its bytes (stable
 * across polls and a changed UIDVALIDITY, so a re-scan never ingests it twice).
 */
export function externalIdOf(mail: Pick<ParsedMail, 'messageId'>, raw: Buffer): string {
  const [id] = messageIds(mail.messageId);
  if (id) return id;
  return `<sha256-${createHash('sha256').update(raw).digest('hex')}@throughline.invalid>`;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value).find((v) => v.address);

/** RFC 6532 allows UTF-8 local parts and domains; the identity is the address lower-cased. */
const normalAddress = (a: string) => a.trim().toLowerCase();

export async function classifyMail(raw: Buffer, ctx: MailContext): Promise<ClassifiedMail> {
  let mail: ParsedMail;
  try {
    // Attachments are read to count their size and dropped; only metadata is kept.
    // Loaded on first use, like imapflow (email.imap.ts): only desks that read mail pay for it.
    const { simpleParser } = await import('mailparser');
    const options = { skipImageLinks: true, skipTextLinks: true };
    mail = await simpleParser(raw, options);
    // Raw 8-bit header lines that are not UTF-8 (a Latin-1 Subject or display name) and
    // undeclared 8-bit text read as UTF-8 left U+FFFD: parsed again with those header lines
    // re-encoded and the parts declared Windows-1252 that cannot be UTF-8 (email.charset.ts).
    const headers = headersLostCharacters(mail) ? utf8Headers(raw) : undefined;
    const html = typeof mail.html === 'string' ? mail.html : '';
    const latin1 = `${mail.text ?? ''}${html}`.includes('\uFFFD')
      ? declareLatin1Parts(headers ?? raw)
      : undefined;
    if (latin1 || headers) mail = await simpleParser(latin1 ?? headers!, options);
  } catch (err) {
    const hash = createHash('sha256').update(raw).digest('hex');
    return {
      kind: 'bad',
      reason: `unparseable mail: ${(err as Error).message}`.slice(0, 500),
      externalId: `<sha256-${hash}@throughline.invalid>`,
    };
  }
  if (declaresUtf7(raw)) fixUtf7(mail);
  const externalId = externalIdOf(mail, raw);
  const bounce = bounceOf(mail, raw);
  if (bounce) return bounce;
  const from = firstAddress(mail.from);
  const address = from?.address ? normalAddress(from.address) : '';
  if (!address.includes('@') || address.length > 320) {
    return { kind: 'bad', reason: 'no usable From address', externalId };
  }
  const forged = dmarcProblem(mail.headerLines);
  if (forged) return { kind: 'skip', reason: forged, externalId };
  if (ctx.ownAddresses.has(address)) {
    return { kind: 'skip', reason: `from our own address ${address}`, externalId };
  }
  const auto = autoReplyReason(mail, ctx.ownAddresses);
  if (auto) return { kind: 'skip', reason: auto, externalId };
  // A lead answering a problem escalation mail (email.staff.ts) writes to the desk's address, but
  // is no customer with a need: their reply (quoting the problem) must not open a case.
  if (answersEscalation(mail))
    return { kind: 'skip', reason: 'a reply to a problem escalation mail', externalId };
  const via = replyToPerson(mail, address, ctx.ownAddresses);

  const subject = (mail.subject ?? '').replace(/\s+/g, ' ').trim().slice(0, 998);
  // mailparser derives `text` from the HTML part when a mail has no plain-text part; the URLs
  // of its images (tracking pixels) and script links are not the customer's words.
  const text = mail.html ? withoutHiddenUrls(mail.text ?? '', mail.html) : (mail.text ?? '');
  const body = newPartOf(text, mail.subject);
  // A Date header before 2000 is a sender's unset clock: the server's INTERNALDATE is nearer.
  const sent = believedDate(mail.date) ?? validDate(ctx.internalDate) ?? new Date();
  const inReplyTo = messageIds(mail.inReplyTo);
  const references = messageIds(mail.references).reverse();
  const parents = [...new Set([...inReplyTo, ...references])];
  const parsed = mail.attachments.slice(0, 50).map((a) => ({
    type: kindOf(a.contentType),
    contentType: a.contentType.slice(0, 200),
    ...(a.filename ? { name: a.filename.slice(0, 1000) } : {}),
    size: a.size,
  }));
  const attachments = ctx.cutParts ? withTrueSizes(parsed, ctx.cutParts, kindOf) : parsed;
  const message: InboundMessage = {
    channel: 'email',
    channelId: ctx.channelId,
    externalId,
    direction: 'in',
    visibility: 'private',
    author: via
      ? {
          id: via.address,
          ...(via.name ? { name: via.name.slice(0, 500) } : {}),
          // Reply-To is whatever the sender wrote: DMARC vouches for the From domain, never for
          // it. Anyone can type a victim's address into a web form, so this identity must not
          // join a verified customer through its e-mail key (identity.link.ts): an unverified
          // address linking across channels would put a stranger's words into that customer's
          // history, under their verified phone or account. (An e-mail identity already holding
          // this address is still found by it: it is the same mailbox, and our replies reach
          // only that mailbox whoever filled in the form.)
          addressUnverified: true,
        }
      : {
          id: address,
          ...(from?.name ? { name: from.name.slice(0, 500) } : {}),
        },
    // An empty body (all in the subject, or an attachment alone) still says what the mail is about.
    text: body || subject,
    ...(subject ? { subject } : {}),
    sentAt: sent.toISOString(),
    ...(parents[0] ? { inReplyTo: parents[0] } : {}),
    ...(references.length ? { conversationId: references.at(-1) } : {}),
    ...(attachments.length ? { attachments } : {}),
    raw: {
      headers: {
        ...headerSummary(mail),
        // What our answer's References start with (email.sender.ts): RFC 5322 §3.6.4 takes the
        // parent's References, else its one In-Reply-To id. Bounded: a header of thousands of
        // ids is not kept whole.
        references: boundedReferences(
          references.length ? [...references].reverse() : inReplyTo.length === 1 ? inReplyTo : [],
        ),
      },
    },
  };
  return { kind: 'message', message, parents };
}

/**
 * The person a mail is really from when its From is a sender on their behalf: a web form's or a
 * ticket forwarder's `noreply@` with the visitor in `Reply-To` (RFC 5322 §3.6.2: replies go
 * there). Only a Reply-To naming exactly one usable address, other than the From and none of
 * ours (a list or a colleague pointing answers at the desk is not a customer); otherwise the
 * From is the customer, as before.
 */
function replyToPerson(mail: ParsedMail, from: string, own: ReadonlySet<string>) {
  const all = (Array.isArray(mail.replyTo) ? mail.replyTo : mail.replyTo ? [mail.replyTo] : [])
    .flatMap((o) => o.value)
    .flatMap((v) => (v.group ? v.group : [v]))
    .filter((v) => v.address);
  if (all.length !== 1) return undefined;
  const address = normalAddress(all[0].address!);
  if (address === from || own.has(address) || address.length > 320) return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) return undefined;
  return { address, name: all[0].name?.trim() || undefined };
}

/** A replacement character in the Subject or a display name: raw bytes were not UTF-8. */
function headersLostCharacters(mail: ParsedMail): boolean {
  const names = [mail.from, mail.replyTo]
    .flatMap((a): AddressObject[] => (Array.isArray(a) ? a : a ? [a] : []))
    .flatMap((o) => o.value.map((v) => v.name));
  return [mail.subject, ...names].some((v) => v?.includes('\uFFFD'));
}

/** Decodes what mailparser left as UTF-7: the text, the subject, display names. */
function fixUtf7(mail: ParsedMail) {
  if (mail.text) mail.text = decodeUtf7(mail.text);
  if (mail.subject) mail.subject = decodeUtf7(mail.subject);
  const named = [mail.from, mail.replyTo].flatMap((a): AddressObject[] =>
    Array.isArray(a) ? a : a ? [a] : [],
  );
  for (const a of named.flatMap((o) => o.value)) if (a.name) a.name = decodeUtf7(a.name);
}

const validDate = (d: Date | undefined) =>
  d instanceof Date && Number.isFinite(d.getTime()) ? d : undefined;
const believedDate = (d: Date | undefined) =>
  validDate(d) && d!.getTime() >= EARLIEST_SENT_AT ? d : undefined;

const kindOf = (contentType: string) => {
  const top = contentType.split('/')[0];
  return ['image', 'audio', 'video'].includes(top) ? top : 'file';
};

/** The headers an auditor needs, not the body (the mail itself stays in the mailbox). */
function headerSummary(mail: ParsedMail) {
  const pick = (name: string) => {
    const line = mail.headerLines.find((h) => h.key === name)?.line;
    return line
      ? line
          .slice(name.length + 1)
          .trim()
          .slice(0, 1000)
      : undefined;
  };
  return {
    from: pick('from'),
    ...(pick('reply-to') ? { replyTo: pick('reply-to') } : {}),
    to: pick('to'),
    date: pick('date'),
    messageId: pick('message-id'),
  };
}

/** Whether a mail answers one of the desk's escalation mails (their Message-IDs: email.staff.ts). */
function answersEscalation(mail: { inReplyTo?: string; references?: string | string[] }): boolean {
  const refs = [mail.inReplyTo ?? '', ...[mail.references ?? []].flat()];
  return refs.some((r) => /<?escalation-[0-9a-f]{32}@/i.test(r));
}
