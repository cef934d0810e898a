import type { DetectorConfig } from '../../src/problems/detector/config.js';
import { Detector } from '../../src/problems/detector/detector.js';
import { type SimIncident, simulate } from '../../src/simulate/index.js';
import { classify } from '../../src/triage/index.js';
import { type RunMetrics, type ScoredMessage, type ScoredProblem, score } from './metrics.js';

/**
 * Runs the detector core directly over a simulated stream (no database): used to tune quickly
 * and for the "oracle triage" comparison line. Cases are approximated by conversation roots.
 */
export function runInMemory(
  seed: number,
  days: number,
  opts: { oracle?: boolean; config?: Partial<DetectorConfig> } = {},
): RunMetrics {
  const det = new Detector(opts.config);
  const incidents: SimIncident[] = [];
  const messages: ScoredMessage[] = [];
  const problems: ScoredProblem[] = [];
  const caseOf = new Map<string, string>();
  const caseProblem = new Map<string, string>();
  const msgCase: string[] = [];
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
    const at = Date.parse(m.sentAt);
    const customerId = `${m.channel}:${m.author.id}`;
    const t = e.truth;
    let complaint: boolean;
    let topic: string;
    let area: import('../../src/triage/index.js').Area | null;
    if (opts.oracle) {
      complaint = t.complaint;
      topic = t.topic;
      area = t.area ? { ...t.area, confidence: 1 } : null;
    } else {
      const r = classify({ text: m.text, channel: m.channel, authorLocation: m.author.location });
      complaint = r.complaint && !r.spam;
      topic = r.topic;
      area = r.area;
    }
    det.observeMessage(customerId, area, at);
    if (complaint) {
      const ds = det.observeComplaint({ ref, at, customerId, caseId, topic, area, text: m.text });
      for (const d of ds) {
        if (d.type === 'raise') {
          problems.push({ id: d.problemId, topic: d.topic, area: d.area, detectedAt: d.at });
        } else if (d.type === 'link' && d.member.caseId) {
          if (!caseProblem.has(d.member.caseId)) caseProblem.set(d.member.caseId, d.problemId);
        }
      }
    }
    det.tick();
    messages.push({
      ref,
      at,
      incidentId: t.incidentId ?? null,
      complaint: t.complaint,
      customerKey: t.customerKey,
      problemId: null,
    });
    msgCase.push(caseId);
  }
  for (let i = 0; i < messages.length; i++)
    messages[i].problemId = caseProblem.get(msgCase[i]) ?? null;
  return score(incidents, messages, problems, days);
}
