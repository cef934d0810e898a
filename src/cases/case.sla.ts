/** The SLA clock event for a change made to a case. */
import type { Priority } from '../platform/db/schema.js';
import type { SlaEvent } from '../sla/sla.store.js';

export const slaEvent = (
  c: { id: string; priority: Priority; channel: string },
  type: SlaEvent['type'],
  at: number,
): SlaEvent => ({ caseId: c.id, type, at, priority: c.priority, channel: c.channel });
