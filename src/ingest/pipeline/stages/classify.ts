import type { BatchState, Stage, StageContext } from '../types.js';

/** Runs triage on every customer message (outbound agent text is not triaged). */
export const classify: Stage = {
  name: 'classify',
  run(batch: BatchState, ctx: StageContext) {
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.direction !== 'in') continue;
      item.triage = ctx.classify({
        text: item.text,
        channel: item.msg.channel,
        authorLocation: item.msg.author.location,
      });
    }
  },
};
