import { RuleError } from '../connector-error.js';

/**
 * WhatsApp's template body holds at most 1024 characters, so a parameter never can more
 * (developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components).
 */
export const TEMPLATE_PARAMETER_MAX = 1024;

/**
 * The agent's text as the single body parameter of the approved template sent outside the
 * 24-hour window. WhatsApp refuses a text parameter holding a new line or a tab, or more than 4
 * consecutive spaces (Cloud API error 132018:
 * developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes), so line breaks and tabs
 * become one space and longer runs of spaces four; the words stay as written. A text still longer
 * than a template body can hold is refused before the call, saying why and what to do.
 */
export function templateParameter(text: string, template: string): string {
  const folded = text
    // Lines (split at CR, LF, VT, FF, NEL, U+2028/9, and tabs) joined by one space.
    .split(/[\t\r\n\v\f\u0085\u2028\u2029]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
    .replace(/ {5,}/g, '    ');
  const n = [...folded].length;
  if (n > TEMPLATE_PARAMETER_MAX) {
    throw new RuleError(
      'bad_request',
      'too_long',
      'whatsapp_template_parameter',
      `the WhatsApp 24-hour customer service window is closed, so the reply goes as the approved template "${template}", whose text parameter holds at most ${TEMPLATE_PARAMETER_MAX} characters; this one has ${n} (on one line): shorten it, or answer on another of the customer's channels`,
    );
  }
  return folded;
}
