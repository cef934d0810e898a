import type { ParsedMail } from 'mailparser';
import { hasNullSender } from './email.bounce.js';

/**
 * What auto-responders that set no header put at the start of the subject: Outlook/Exchange in
 * its languages ("Automatic reply:", "Abwesenheitsnotiz:", "Réponse automatique :"), Lotus
 * Notes, Zimbra, cPanel and Plesk autoresponders. The one list of them, so a vendor form is added
 * in one place. Only the shape of a whole prefix counts (followed by a colon, in brackets, or the
 * whole subject): a customer's "Re: Out of office: …" answers one, and "Auto reply settings
 * broken" or "Out of office hours support?" asks us something.
 */
const AUTO_REPLY_SUBJECTS = [
  'automatic reply',
  'automated reply',
  'automated response',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'auto-response',
  'autoresponse',
  'out of office',
  'out of the office',
  'out of office reply',
  'out of office autoreply',
  'out of office auto reply',
  'automatische antwort',
  'abwesenheitsnotiz',
  'réponse automatique',
  'respuesta automática',
  'risposta automatica',
  'resposta automática',
  'automatisch antwoord',
  'automatiskt svar',
  'automatisk svar',
  'automaattinen vastaus',
  'odpowiedź automatyczna',
  'automatická odpověď',
];

const escaped = AUTO_REPLY_SUBJECTS.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const phrase = `(?:${escaped.join('|')})`;
const AUTO_REPLY_SUBJECT = new RegExp(
  [
    // "Automatic reply: Router drops", "Réponse automatique : …" (French sets a space first).
    `^${phrase}\\s*:`,
    // "[Auto-Reply] Router drops", "(Out of office) …".
    `^[[(]${phrase}[\\])]`,
    // The whole subject: "Out of Office", "Autoreply.".
    `^${phrase}[.!]?$`,
    // Lotus Notes and hand-written rules: "I am out of the office until 12/05/2026.", "I will be
    // out of the office starting …", "Jane Doe/Acme is out of the office." — a sentence about
    // being away, not "I am out of the office and cannot log in".
    "^(?:i am|i'm|i will be|i'll be)(?: currently)? out of (?:the )?office(?:[.!]?$|\\s+(?:until|till|from|since|starting|between|on|through|and will not)\\b)",
    '^[^:]{1,100} is out of (?:the )?office[.!]?$',
  ].join('|'),
  'iu',
);

/**
 * Exchange's `X-Auto-Response-Suppress` on the mail it (or a system) generated: values that
 * suppress auto-replies (`All`, `OOF`, `AutoReply`) mark machine mail. `None`, and values that
 * only suppress receipts (`DR`, `NDR`, `RN`, `NRN`), are set on people's mail too.
 */
const SUPPRESSES_AUTO_REPLY = new Set(['all', 'oof', 'autoreply']);

type Mail = Pick<ParsedMail, 'headers' | 'headerLines' | 'subject'>;

/**
 * Why a mail was written by a machine rather than the customer, or undefined. Such mail never
 * opens a case and is never answered: answering an out-of-office with our own acknowledgement
 * is how mail loops start (RFC 3834 §2). Signals, in the order mail systems set them:
 * `Auto-Submitted` other than `no` (RFC 3834), a null sender (`Return-Path: <>`, which RFC 3834
 * §3.3 asks auto-responders to use; bounces with one are told apart before, email.bounce.ts),
 * Microsoft's `X-Autoreply`/`X-Autorespond` and Exchange's `X-Auto-Response-Suppress`,
 * `Precedence: bulk|junk|list|auto_reply` (de facto, RFC 2076), and out-of-office subjects of
 * the clients that set no header. A list whose address is one of ours (a Google Group or list
 * that delivers the support address into the mailbox) is how customers reach us, not a list:
 * its `Precedence: list` does not count.
 */
export function autoReplyReason(
  mail: Mail,
  ownAddresses: ReadonlySet<string> = new Set(),
): string | undefined {
  const h = (name: string) => {
    const v = mail.headers.get(name);
    if (v === undefined || v === null) return undefined;
    const s = typeof v === 'object' && 'value' in v ? String(v.value) : String(v);
    return s.trim().toLowerCase();
  };
  // RFC 3834 §5: the keyword may carry a comment or parameters ("no (human)", "no; x=y").
  const submitted = h('auto-submitted');
  if (submitted && /^[^\s;(]+/.exec(submitted)?.[0] !== 'no') return `Auto-Submitted: ${submitted}`;
  if (hasNullSender(mail)) return 'null sender (Return-Path: <>)';
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (h(name) !== undefined) return `${name} header`;
  }
  const suppress = h('x-auto-response-suppress');
  if (suppress?.split(/[\s,]+/).some((v) => SUPPRESSES_AUTO_REPLY.has(v)))
    return `X-Auto-Response-Suppress: ${suppress}`;
  const precedence = h('precedence');
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  if (precedence === 'list' && !ourList(mail, ownAddresses)) return 'Precedence: list';
  // Folded headers and no-break spaces leave odd whitespace in the subject.
  const subject = (mail.subject ?? '').replace(/\s+/gu, ' ').trim();
  if (AUTO_REPLY_SUBJECT.test(subject)) return 'out-of-office subject';
  return undefined;
}

/** The list's List-Post or List-Id names one of our addresses (List-Id as `local.domain`). */
function ourList(mail: Mail, own: ReadonlySet<string>): boolean {
  const line = (key: string) =>
    (mail.headerLines.find((l) => l.key === key)?.line ?? '').toLowerCase();
  const post = line('list-post');
  const id = line('list-id');
  return [...own].some(
    (a) => post.includes(`mailto:${a}`) || id.includes(`<${a.replace('@', '.')}>`),
  );
}
