import { describe, expect, it } from 'vitest';
import { classify } from './index.js';

// features.ts, "Litotes": a negated negative word is approval, not complaint evidence.
describe('litotes', () => {
  it('reads "not bad" and "can\'t complain" to a brand as no complaint', () => {
    for (const text of [
      '@VerizonSupport not bad at all',
      '@TMobileHelp not too bad, thanks',
      "@comcastcares can't complain",
      '@sprintcare no complaints here',
    ]) {
      expect(classify({ text }).complaint, text).toBe(false);
    }
  });

  it('leaves a negative word that is not negated, or a trouble after a "but", a complaint', () => {
    for (const text of [
      '@VerizonSupport no signal, bad service',
      '@VerizonSupport not bad, but my bill doubled again',
      '@comcastcares service is bad and nobody answers',
    ]) {
      expect(classify({ text }).complaint, text).toBe(true);
    }
  });
});
