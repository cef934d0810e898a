import { describe, expect, it } from 'vitest';
import { subjectOf } from './thread.js';

describe("a case's subject", () => {
  it('is the first message on one line, or a placeholder', () => {
    expect(subjectOf('  no\nsignal\t here ')).toBe('no signal here');
    expect(subjectOf('   ')).toBe('(no text)');
  });

  it('is cut at 120 units without splitting an emoji in half', () => {
    // 116 letters, then an emoji whose two halves straddle the cut at 117.
    const text = `${'a'.repeat(116)}😤 and much more text after it`;
    const s = subjectOf(text);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toBe(`${'a'.repeat(116)}…`);
    // No lone high surrogate left before the ellipsis.
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(s)).toBe(false);
    // A cut that falls between whole characters is kept at 117.
    expect(subjectOf('b'.repeat(200))).toBe(`${'b'.repeat(117)}…`);
  });
});
