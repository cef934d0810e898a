/**
 * Text the CLI prints to a terminal that people or customers wrote (problem titles, owners,
 * channel names, parked events' errors, lines of a replayed file). A terminal obeys control
 * characters: an escape sequence in a title could move the cursor, rewrite earlier lines, set
 * the window title, or in some terminals send text back as if typed. So they are taken out.
 * Unicode's bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and the rest) are not terminal
 * controls but reorder what a terminal shows ("Trojan Source"): a title could read as something
 * else than it is. They are shown as what they are, `<U+202E>`, so a reader sees them.
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
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
/** Bidirectional formatting: ALM, LRM, RLM, the embeddings and overrides, the isolates. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
/** Every other C0 and C1 control character, and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** The text with no terminal control characters left: safe to print on one line. */
export function forTerminal(text: string): string {
  return text
    .replace(SEQUENCES, '')
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '')
    .replace(BIDI, (c) => `<${codePoint(c)}>`);
}

/**
 * A value as one line of JSON for a terminal or a pipe: JSON.stringify escapes C0 controls but
 * writes DEL and C1 controls (U+0080–U+009F, e.g. U+009B, a CSI), bidirectional controls and
 * U+2028/U+2029 as they are; here they are escaped too. Parsed back, it is the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
