import { type SimIncident, simulate } from '../../src/simulate/index.js';
import { type Area, classify } from '../../src/triage/index.js';

/**
 * One inbound customer message as the live pipeline's detect stage sees it (the classify
 * stage's complaint/topic/area from the text and `author.location`, the author's channel
 * address, the case it threads into), with the simulator's ground truth beside it.
 */
export interface StreamMessage {
  ref: string;
  at: number;
  customerId: string;
  caseId: string;
  /** The author's address on the channel (an E.164 number on WhatsApp, SMS and voice). */
  address: string;
  channel: string;
  text: string;
  complaint: boolean;
  topic: string;
  area: Area | null;
  truth: {
    incidentId: string | null;
    complaint: boolean;
    customerKey: string;
  };
}

export interface Stream {
  seed: number;
  days: number;
  incidents: SimIncident[];
  messages: StreamMessage[];
}

const cache = new Map<string, Stream>();

/**
 * The simulator's `week` scenario, classified once (by the real offline triage, or by the
 * ground truth for the "oracle" comparison) and cached, so detector configurations can be
 * compared quickly. Cases are approximated by conversation roots (replies join the case of the
 * message they answer), as the thread stage does for replies.
 */
export function loadStream(seed: number, days: number, oracle = false): Stream {
  const key = `${seed}:${days}:${oracle}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const incidents: SimIncident[] = [];
  const messages: StreamMessage[] = [];
  const caseOf = new Map<string, string>();
  for (const e of simulate({ scenario: 'week', seed, days })) {
    if (e.type === 'incident') {
      incidents.push(e.incident);
      continue;
    }
    const m = e.message;
    const ref = `${m.channel}:${m.externalId}`;
    const caseId = (m.inReplyTo && caseOf.get(`${m.channel}:${m.inReplyTo}`)) || ref;
    caseOf.set(ref, caseId);
    if (m.direction === 'out') continue;
    const t = e.truth;
    let complaint: boolean;
    let topic: string;
    let area: Area | null;
    if (oracle) {
      complaint = t.complaint;
      topic = t.topic;
      area = t.area ? { ...t.area, confidence: 1 } : null;
    } else {
      const r = classify({ text: m.text, channel: m.channel, authorLocation: m.author.location });
      complaint = r.complaint && !r.spam;
      topic = r.topic;
      area = r.area;
    }
    messages.push({
      ref,
      at: Date.parse(m.sentAt),
      customerId: `${m.channel}:${m.author.id}`,
      caseId,
      address: m.author.id,
      channel: m.channel,
      text: m.text,
      complaint,
      topic,
      area,
      truth: {
        incidentId: t.incidentId ?? null,
        complaint: t.complaint,
        customerKey: t.customerKey,
      },
    });
  }
  const s = { seed, days, incidents, messages };
  cache.set(key, s);
  return s;
}
