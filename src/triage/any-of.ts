/**
 * One regex that matches a text exactly when at least one of the given ones does: their sources
 * as one alternation. Triage tests several phrase lists per message and most messages match none;
 * one scan of the text costs about half of five separate ones, and only a hit needs the separate
 * tests to say which list matched.
 *
 * Exact because every rule uses the same flags (only /i, so no g/y state and no u/m/s changes of
 * meaning) and none has capture groups or back-references whose numbers would shift.
 */
export function anyOf(res: readonly RegExp[]): RegExp {
  for (const re of res) {
    if (re.flags !== 'i') throw new Error(`anyOf: ${re} must use exactly the i flag`);
    if (/\\\d|\((?!\?)/.test(re.source))
      throw new Error(`anyOf: ${re} has a group or back-reference`);
  }
  return new RegExp(res.map((re) => `(?:${re.source})`).join('|'), 'i');
}
