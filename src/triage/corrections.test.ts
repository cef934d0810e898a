import { describe, expect, it } from 'vitest';
import { CorrectionWeights } from './correction-weights.js';
import { applyCorrections, applyCorrectionsYielding, type Correction } from './corrections.js';
import { analyse } from './features.js';
import { complaintStep, type TriageModel, topicProbabilities, topicStep } from './model.js';
import { TOPICS, type Topic } from './types.js';
import { loadShippedModel } from './weights.js';

const shipped = loadShippedModel();
const K = TOPICS.length;
const topicP = (m: TriageModel, text: string, topic: Topic) =>
  topicProbabilities(m, analyse(text))[TOPICS.indexOf(topic)];

/** Slots (feature indices) whose complaint weight or any topic weight differs. */
function changedSlots(a: TriageModel, b: TriageModel): Set<number> {
  const out = new Set<number>();
  for (let s = 0; s < a.complaint.length; s++) {
    if (a.complaint[s] !== b.complaint[s]) out.add(s);
    for (let k = 0; k < K; k++) if (a.topic[s * K + k] !== b.topic[s * K + k]) out.add(s);
  }
  return out;
}

const CORRECTIONS: Correction[] = [
  { text: 'charged twice for the same plan, want a refund', topic: 'billing', complaint: true },
  { text: 'no signal at all in my flat since monday', topic: 'network' },
  { text: 'the new phone you sent me wont charge', topic: 'device', complaint: true },
  { text: 'what time does the store on main street open?', complaint: false },
];

describe('applyCorrections', () => {
  it('a server rebuild gives the event loop a turn after every pass, with the same result', async () => {
    const many: Correction[] = [];
    for (let i = 0; i < 400; i++)
      many.push({ ...CORRECTIONS[i % 4], text: `${CORRECTIONS[i % 4].text} ${i}` });
    // Other work waiting on the event loop: it counts the turns it gets.
    let turns = 0;
    let running = true;
    const other = () => {
      turns++;
      if (running) setImmediate(other);
    };
    setImmediate(other);
    const yielded = await applyCorrectionsYielding(shipped, many);
    running = false;
    // 4 orders × 4 passes: other work ran between them.
    expect(turns).toBeGreaterThanOrEqual(15);
    expect(changedSlots(yielded, applyCorrections(shipped, many)).size).toBe(0);
  });

  it('is deterministic, leaves the input model as is and moves only the corrected features', () => {
    const before = { complaint: shipped.complaint.slice(), topic: shipped.topic.slice() };
    const a = applyCorrections(shipped, CORRECTIONS);
    const b = applyCorrections(shipped, CORRECTIONS);
    expect(changedSlots(a, b).size).toBe(0);
    expect(changedSlots(shipped, { ...shipped, ...before }).size).toBe(0);
    expect(a.corrections).toBe(shipped.corrections + CORRECTIONS.length);

    const used = new Set(CORRECTIONS.flatMap((c) => analyse(c.text).indices));
    const moved = changedSlots(shipped, a);
    expect(moved.size).toBeGreaterThan(0);
    for (const s of moved) expect(used.has(s)).toBe(true);
  });

  it('returns the model unchanged for no corrections', () => {
    expect(changedSlots(shipped, applyCorrections(shipped, [])).size).toBe(0);
  });

  it('learns a text an agent corrected, and more surely when corrected again', () => {
    const text = 'zorblax gadget broke on me';
    const once = applyCorrections(shipped, [{ text, topic: 'device' }]);
    const twice = applyCorrections(shipped, [
      { text, topic: 'device' },
      { text, topic: 'device' },
    ]);
    const p = (m: TriageModel) => topicP(m, text, 'device');
    expect(p(shipped)).toBeLessThan(0.1);
    expect(p(once)).toBeGreaterThan(0.5);
    expect(p(twice)).toBeGreaterThan(p(once));
  });

  it('does not let the last of two disagreeing agents win', () => {
    // The same complaint filed under billing by one agent and network by another: the result
    // must not depend on which correction was stored last.
    const text = 'paying more every month and the signal is still useless';
    const disagree: Correction[] = [
      { text, topic: 'billing' },
      { text: `${text}!!`, topic: 'billing' },
      { text, topic: 'network' },
      { text: `${text}!!`, topic: 'network' },
    ];
    const forward = topicP(applyCorrections(shipped, disagree), text, 'network');
    const backward = topicP(applyCorrections(shipped, [...disagree].reverse()), text, 'network');
    expect(Math.abs(forward - backward)).toBeLessThan(0.05);
    expect(forward).toBeGreaterThan(0.3);
    expect(forward).toBeLessThan(0.7);
  });
});

describe('CorrectionWeights', () => {
  it('takes the same steps as model.ts, on its local copy of the slots', () => {
    const texts = [
      'my bill doubled overnight',
      'internet down again in 94110',
      'love the new plan',
    ];
    const analysed = texts.map((t) => analyse(t));
    const local = new CorrectionWeights(shipped, analysed);
    const reference: TriageModel = {
      ...shipped,
      complaint: shipped.complaint.slice(),
      topic: shipped.topic.slice(),
    };
    analysed.forEach((a, n) => {
      const x = local.features(a);
      local.topicStep(x, n + 1, 0.05);
      local.complaintStep(x, 1, 0.05);
      topicStep(reference, a, n + 1, 0.05);
      complaintStep(reference, a, 1, 0.05);
    });
    local.snapshot();
    const out: TriageModel = {
      ...shipped,
      complaint: shipped.complaint.slice(),
      topic: shipped.topic.slice(),
    };
    local.writeMean(out);
    for (const s of new Set(analysed.flatMap((a) => a.indices))) {
      expect(out.complaint[s]).toBeCloseTo(reference.complaint[s], 5);
      for (let k = 0; k < K; k++)
        expect(out.topic[s * K + k]).toBeCloseTo(reference.topic[s * K + k], 5);
    }
    expect(changedSlots(shipped, out).size).toBeGreaterThan(0);
  });
});
