import type { DetectorConfig } from '../../src/problems/detector/config.js';
import { Detector } from '../../src/problems/detector/detector.js';
import type { RealThreads } from './background.js';
import { type RunMetrics, type ScoredMessage, type ScoredProblem, score } from './metrics.js';
import { loadStream } from './stream.js';

/**
 * Runs the detector core directly over a classified simulated stream (no database): the same
 * `observe` call with the same inputs the pipeline's detect stage makes, for quick tuning and
 * the "oracle triage" comparison line. Cases are approximated by conversation roots.
 */
export function runInMemory(
  seed: number,
  days: number,
  real: RealThreads | null,
  opts: { oracle?: boolean; realText?: boolean; config?: Partial<DetectorConfig> } = {},
): RunMetrics {
  const stream = loadStream(seed, days, real, opts.oracle, opts.realText);
  const det = new Detector(opts.config);
  const problems: ScoredProblem[] = [];
  const caseProblem = new Map<string, string>();
  for (const m of stream.messages) {
    const ds = det.observe({
      ref: m.ref,
      at: m.at,
      customerId: m.customerId,
      caseId: m.caseId,
      address: m.address,
      area: m.area,
      complaint: m.complaint,
      topic: m.topic,
      text: m.text,
    });
    ds.push(...det.tick());
    for (const d of ds) {
      if (d.type === 'raise') {
        problems.push({ id: d.problemId, topic: d.topic, area: d.area, detectedAt: d.at });
      } else if (d.type === 'refine') {
        const p = problems.find((x) => x.id === d.problemId);
        if (p) p.area = d.area;
      } else if (d.type === 'retopic') {
        const p = problems.find((x) => x.id === d.problemId);
        if (p) p.topic = d.topic;
      } else if (d.type === 'link' && d.member.caseId) {
        if (!caseProblem.has(d.member.caseId)) caseProblem.set(d.member.caseId, d.problemId);
      }
    }
  }
  const messages: ScoredMessage[] = stream.messages.map((m) => ({
    ref: m.ref,
    at: m.at,
    incidentId: m.truth.incidentId,
    complaint: m.truth.complaint,
    real: m.truth.real,
    customerKey: m.truth.customerKey,
    problemId: caseProblem.get(m.caseId) ?? null,
  }));
  return score(stream.incidents, messages, problems, days);
}
