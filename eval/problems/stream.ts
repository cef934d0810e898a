import type { SimIncident } from '../../src/simulate/index.js';
import { type Area, classify } from '../../src/triage/index.js';
import type { RealThreads } from './background.js';
import { loadRealTextPool, type ReplacedCounts, replaceIncidentTexts } from './real-text.js';
import { buildRun, type EvalTruth } from './source.js';

/**
 * One inbound customer message as the live pipeline's detect stage sees it (the classify
 * stage's complaint/topic/area from the text and `author.location`, the author's channel
 * address, the case it threads into), with the ground truth beside it.
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
  truth: EvalTruth;
}

export interface Stream {
  seed: number;
  days: number;
  incidents: SimIncident[];
  messages: StreamMessage[];
  /** Set on a real-text stream (real-text.ts): what was replaced and how triage read it. */
  replaced?: ReplacedCounts;
}

const cache = new Map<string, Stream>();

/**
 * The evaluation traffic (source.ts), classified once (by the real offline triage, or by the
 * ground truth for the "oracle" comparison) and cached, so detector configurations can be
 * compared quickly. The oracle knows only the simulator's truth: real background text goes
 * through the real triage in both modes. Cases are approximated by conversation roots
 * (replies join the case of the message they answer), as the thread stage does for replies.
 * `realText` tells the incidents' opening complaints in real customers' words (real-text.ts;
 * real triage only); null when the real tweets are absent.
 */
export function loadStream(
  seed: number,
  days: number,
  real: RealThreads | null,
  oracle = false,
  realText = false,
): Stream {
  const key = `${seed}:${days}:${real ? 'real' : 'sim'}:${oracle}:${realText}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (realText) {
    const pool = loadRealTextPool();
    if ('skip' in pool) throw new Error(`real-text incidents: ${pool.skip}`);
    const base = loadStream(seed, days, real, false);
    const { stream, counts } = replaceIncidentTexts(base, buildRun(seed, days, real), pool);
    const s = { ...stream, replaced: counts };
    cache.set(key, s);
    return s;
  }
  const run = buildRun(seed, days, real);
  const messages: StreamMessage[] = [];
  const caseOf = new Map<string, string>();
  for (const { message: m, truth: t } of run.messages) {
    const ref = `${m.channel}:${m.externalId}`;
    const caseId = (m.inReplyTo && caseOf.get(`${m.channel}:${m.inReplyTo}`)) || ref;
    caseOf.set(ref, caseId);
    if (m.direction === 'out') continue;
    let complaint: boolean;
    let topic: string;
    let area: Area | null;
    if (oracle && !t.real) {
      complaint = t.complaint === true;
      topic = t.topic ?? 'other';
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
      truth: t,
    });
  }
  const s = { seed, days, incidents: run.incidents, messages };
  cache.set(key, s);
  return s;
}
