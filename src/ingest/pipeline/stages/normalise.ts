import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { defaultVisibility, InboundMessageSchema } from '../../inbound.schema.js';
import type { BatchState, Stage } from '../types.js';

// Compiled once: the same checks as `Value.Check`, without walking the schema for every event.
const inboundMessage = TypeCompiler.Compile(InboundMessageSchema);

/**
 * Parses and re-validates each logged payload (the log may hold events written by older
 * versions or by replays), and settles defaults. An unusable payload is rejected here and
 * parked with the reason instead of failing the batch.
 */
export const normalise: Stage = {
  name: 'normalise',
  run(batch: BatchState) {
    for (const item of batch.items) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(item.payloadJson);
      } catch {
        item.rejected = 'payload is not valid JSON';
        continue;
      }
      if (!inboundMessage.Check(parsed)) {
        const first = Value.Errors(InboundMessageSchema, parsed).First();
        item.rejected = `payload invalid: ${first ? `${first.path} ${first.message}` : 'unknown'}`;
        continue;
      }
      const sentAt = Date.parse(parsed.sentAt);
      if (!Number.isFinite(sentAt)) {
        item.rejected = 'sentAt is not a valid date';
        continue;
      }
      item.msg = parsed;
      item.sentAt = sentAt;
      item.direction = parsed.direction ?? 'in';
      item.visibility = parsed.visibility ?? defaultVisibility(parsed.channel);
      item.text = normaliseText(parsed.text);
    }
  },
};

/** Normalises line endings and strips NULs (PostgreSQL text cannot hold U+0000). */
export function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replaceAll(String.fromCharCode(0), '');
}
