import { describe, expect, it } from 'vitest';
import { forTerminal, jsonLine } from './terminal.js';

/** Bidirectional controls reorder what a terminal shows ("Trojan Source"). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('bidirectional controls in terminal output', () => {
  // Shown as "Outage in Red Hook, fixed" by a terminal that honours the override.
  const spoofed = 'Outage in Red Hook\u202e,dexif\u202c and \u2066isolated\u2069 \u200fmark';

  it('are shown as code points in text, not obeyed', () => {
    const out = forTerminal(spoofed);
    expect(out).not.toMatch(BIDI);
    expect(out).toBe(
      'Outage in Red Hook<U+202E>,dexif<U+202C> and <U+2066>isolated<U+2069> <U+200F>mark',
    );
    expect(forTerminal('line\u2028separator\u2029paragraph')).toBe('line separator paragraph');
    // Right-to-left text itself is left alone.
    expect(forTerminal('אין רשת בתל אביב')).toBe('אין רשת בתל אביב');
  });

  it('are escaped in JSON lines, which parse back to the same value', () => {
    const v = { title: spoofed, sep: '\u2028' };
    const line = jsonLine(v);
    expect(line).not.toMatch(BIDI);
    expect(line).toContain('\\u202e');
    expect(line).not.toContain('\u2028');
    expect(JSON.parse(line)).toEqual(v);
  });
});
