import { describe, expect, it } from 'vitest';
import { partMessageId, splitText } from './notify.parts.js';

/** A length rule of `max` code points, as the channels' rules are. */
const within = (max: number) => async (s: string) => [...s].length <= max;

describe('splitting a notice into parts', () => {
  it('cuts after whole sentences when they fit', async () => {
    const parts = await splitText('One two. Three four five. Six.', within(20));
    expect(parts).toEqual(['One two.', 'Three four five.', 'Six.']);
  });

  it('cuts between words inside a sentence longer than a part', async () => {
    const parts = await splitText('alpha beta gamma delta epsilon', within(12));
    expect(parts).toEqual(['alpha beta', 'gamma delta', 'epsilon']);
  });

  it('cuts a word longer than a part, never inside a surrogate pair', async () => {
    const parts = await splitText('😀😀😀😀😀', within(2));
    expect(parts).toEqual(['😀😀', '😀😀', '😀']);
  });

  it('keeps a text that fits whole, and gives up when nothing fits', async () => {
    expect(await splitText('short', within(10))).toEqual(['short']);
    expect(await splitText('short', within(0))).toEqual([]);
  });

  it("derives each part's message id from the first, stably", () => {
    const base = '01a24375-f4ce-7000-a69d-7f283c739473';
    expect(partMessageId(base, 0)).toBe(base);
    expect(partMessageId(base, 1)).toBe(partMessageId(base, 1));
    expect(partMessageId(base, 1)).not.toBe(partMessageId(base, 2));
    expect(partMessageId(base, 1)).toMatch(/^01a24375-f4ce-7000-a69d-[0-9a-f]{12}$/);
  });
});
