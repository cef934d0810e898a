import type { BatchState, Stage, StageContext } from '../types.js';

/**
 * Chooses the queue of each case this batch created. For now every case goes to the
 * workspace's default queue; routing rules (topic, channel, language, area) plug in here.
 */
export const route: Stage = {
  name: 'route',
  run(batch: BatchState, ctx: StageContext) {
    for (const c of batch.cases.values()) {
      if (c.isNew && c.queueId === null) c.queueId = ctx.settings.defaultQueueId;
    }
  },
};
