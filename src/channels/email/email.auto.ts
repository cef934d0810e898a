import type { Headers } from 'mailparser';

/**
 * Why a mail was written by a machine rather than the customer, or undefined. Such mail never
 * opens a case and is never answered: answering an out-of-office with our own acknowledgement
 * is how mail loops start (RFC 3834 §2). Signals, in the order mail systems set them:
 * `Auto-Submitted` other than `no` (RFC 3834), Microsoft's `X-Autoreply`/`X-Autorespond`,
 * `Precedence: bulk|junk|auto_reply` (de facto, RFC 2076), and out-of-office subjects of the
 * clients that set no header.
 */
const OUT_OF_OFFICE =
  /^\s*(auto(matic|matische)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheitsnotiz|réponse automatique|respuesta automática)\b/i;

export function autoReplyReason(headers: Headers, subject: string | undefined): string | undefined {
  const h = (name: string) => {
    const v = headers.get(name);
    if (v === undefined || v === null) return undefined;
    const s = typeof v === 'object' && 'value' in v ? String(v.value) : String(v);
    return s.trim().toLowerCase();
  };
  const submitted = h('auto-submitted');
  if (submitted && submitted !== 'no') return `Auto-Submitted: ${submitted}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (h(name) !== undefined) return `${name} header`;
  }
  const precedence = h('precedence');
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  if (subject && OUT_OF_OFFICE.test(subject)) return 'out-of-office subject';
  return undefined;
}
