import { type Recorded, startFake } from '../../src/integrations/testing/fake-server.js';

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

/** What is wrong with an alert event, per the Events API v2 "Send an Alert Event" reference. */
function eventErrors(r: Recorded): string[] {
  const b = r.body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return ['Event object is not JSON.'];
  const errors: string[] = [];
  if (typeof b.routing_key !== 'string' || b.routing_key.length !== 32)
    errors.push("'routing_key' must be the 32 character Integration Key.");
  if (typeof b.event_action !== 'string' || !ACTIONS.includes(b.event_action))
    errors.push("'event_action' must be one of trigger, acknowledge, resolve.");
  if (b.dedup_key !== undefined && (typeof b.dedup_key !== 'string' || b.dedup_key.length > 255))
    errors.push("'dedup_key' must be a string of at most 255 characters.");
  if (b.event_action !== 'trigger' && typeof b.dedup_key !== 'string')
    errors.push("'dedup_key' is required to acknowledge or resolve.");
  if (b.event_action === 'trigger') {
    const p = b.payload as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object') errors.push("'payload' is required for trigger events.");
    else {
      if (typeof p.summary !== 'string' || p.summary === '' || p.summary.length > 1024)
        errors.push("'payload.summary' is required, at most 1024 characters.");
      if (typeof p.source !== 'string' || p.source === '')
        errors.push("'payload.source' is required.");
      if (typeof p.severity !== 'string' || !SEVERITIES.includes(p.severity))
        errors.push("'payload.severity' must be one of critical, error, warning, info.");
    }
  }
  return errors;
}

/**
 * Fake PagerDuty Events API v2: POST /v2/enqueue answers 202 like the real one for a valid
 * event, 400 {status: 'invalid event', message, errors} for a malformed one.
 */
export function startFakePagerDuty(onEvent?: (r: Recorded) => Promise<void>) {
  return startFake(async (r) => {
    if (r.method !== 'POST' || r.path !== '/v2/enqueue') return { status: 404 };
    const errors = eventErrors(r);
    if (errors.length > 0)
      return {
        status: 400,
        body: { status: 'invalid event', message: 'Event object is invalid', errors },
      };
    // What happens while PagerDuty holds the call (its webhook of the event may beat its answer).
    await onEvent?.(r);
    return {
      status: 202,
      body: {
        status: 'success',
        message: 'Event processed',
        dedup_key: (r.body as { dedup_key?: string }).dedup_key,
      },
    };
  });
}
