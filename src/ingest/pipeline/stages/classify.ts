import type { BatchState, Stage, StageContext } from '../types.js';

/**
 * Runs triage on every customer message (outbound agent text is not triaged). Answers the
 * pipeline computed ahead in its worker thread are taken when they match; the rest inline.
 */
export const classify: Stage = {
  name: 'classify',
  async run(batch: BatchState, ctx: StageContext) {
    const { ahead } = ctx;
    if (ahead) await ahead.settle(batch.items.map((i) => i.seq));
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.direction !== 'in') continue;
      const input = {
        text: item.text,
        channel: item.msg.channel,
        authorLocation: item.msg.author.location,
      };
      item.triage = ahead?.take(item.seq, item.payloadJson) ?? ctx.classify(input);
    }
  },
};
