import type { Stage } from '../types.js';

/**
 * Seam for the problem detector (root-cause problems): it will read the batch's classified,
 * threaded complaints and update its streaming counts in the same transaction. Nothing yet.
 */
export const detect: Stage = {
  name: 'detect',
  run() {},
};
