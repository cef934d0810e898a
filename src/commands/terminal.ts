/**
 * Text the CLI prints to a terminal that people or customers wrote (problem titles, owners,
 * channel names, parked events' errors, lines of a replayed file). A terminal obeys control
 * characters: an escape sequence in a title could move the cursor, rewrite earlier lines, set
 * the window title, or in some terminals send text back as if typed. So they are taken out.
 */

// Escape sequences, whole: CSI (`ESC [` or U+009B, parameters, one final byte), OSC and the
// other string commands (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` or their C1 forms, up to
// BEL or the string terminator), and the two-character ones (`ESC c`, `ESC 7`, `ESC ( B`…).
const SEQUENCES = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[ -/]*[0-~]?',
  ].join('|'),
  'g',
);
/** Line breaks and tabs: a space, so a title stays on its line and words stay apart. */
const BREAKS = /[\t\n\v\f\r\u0085]+/g;
/** Every other C0 and C1 control character, and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** The text with no terminal control characters left: safe to print on one line. */
export function forTerminal(text: string): string {
  return text.replace(SEQUENCES, '').replace(BREAKS, ' ').replace(CONTROLS, '');
}

/**
 * A value as one line of JSON for a terminal or a pipe: JSON.stringify escapes C0 controls but
 * writes DEL and C1 controls (U+0080–U+009F, e.g. U+009B, a CSI) as they are; here they are
 * escaped too. Parsed back, it is the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
