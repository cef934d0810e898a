import type { ParsedMail } from 'mailparser';
import { hasNullSender } from './email.bounce.js';

/**
 * Why a mail was written by a machine rather than the customer, or undefined. Such mail never
 * opens a case and is never answered: answering an out-of-office with our own acknowledgement
 * is how mail loops start (RFC 3834 §2). Signals, in the order mail systems set them:
 * `Auto-Submitted` other than `no` (RFC 3834), a null sender (`Return-Path: <>`, which RFC 3834
 * §3.3 asks auto-responders to use; bounces with one are told apart before, email.bounce.ts),
 * Microsoft's `X-Autoreply`/`X-Autorespond`, `Precedence: bulk|junk|list|auto_reply` (de facto,
 * RFC 2076), and out-of-office subjects of the clients that set no header. A list whose address
 * is one of ours (a Google Group or list that delivers the support address into the mailbox) is
 * how customers reach us, not a list: its `Precedence: list` does not count.
 */
const OUT_OF_OFFICE =
  /^\s*(auto(matic|matische)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheitsnotiz|réponse automatique|respuesta automática)\b/i;

type Mail = Pick<ParsedMail, 'headers' | 'headerLines' | 'subject'>;

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
  const submitted = h('auto-submitted');
  if (submitted && submitted !== 'no') return `Auto-Submitted: ${submitted}`;
  if (hasNullSender(mail)) return 'null sender (Return-Path: <>)';
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (h(name) !== undefined) return `${name} header`;
  }
  const precedence = h('precedence');
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  if (precedence === 'list' && !ourList(mail, ownAddresses)) return 'Precedence: list';
  if (mail.subject && OUT_OF_OFFICE.test(mail.subject)) return 'out-of-office subject';
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
