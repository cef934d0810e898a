import { describe, expect, it } from 'vitest';
import { CorrectionWeights, MAX_SHIFT, SHARED_FEATURES } from './correction-weights.js';
import { applyCorrections, applyCorrectionsYielding, type Correction } from './corrections.js';
import { analyse } from './features.js';
import { createTriage } from './index.js';
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
    // As classify() scores it, topic-words head included: the learner moves the linear model only
    // as far as the sum of both needs (topic-words.ts), so the linear model alone says less.
    const p = (m: TriageModel) => createTriage(m).classify({ text }).topicScores.device;
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

// Spanish network complaints, all corrected the same way: the one-sided batch that recalibrated
// every text before (the bias and the shared buckets took every step).
const SPANISH_NETWORK = [
  'no tengo señal desde ayer',
  'sin señal en mi casa otra vez',
  'la red no funciona en el centro',
  'no hay cobertura en mi barrio',
  'otra vez sin internet móvil',
  'mi teléfono no tiene señal',
  'la señal es horrible aquí',
  'no puedo hacer llamadas, no hay red',
  'sin datos móviles desde la mañana',
  'la cobertura es pésima en la oficina',
  'no tengo red en el trabajo',
  'se cae la señal cada rato',
  'no hay señal 4G en mi zona',
  'perdí la señal otra vez',
  'el internet móvil está lentísimo',
  'no me llegan los mensajes, no hay red',
  'sin cobertura en la carretera',
  'la red está caída aquí',
  'llevo dos días sin señal',
  'no funciona la red en mi pueblo',
].map((text): Correction => ({ text, topic: 'network', complaint: true }));

describe('one-sided corrections', () => {
  const before = createTriage(shipped);
  const after = createTriage(applyCorrections(shipped, SPANISH_NETWORK));

  it('learn texts of their own kind that were never corrected', () => {
    for (const text of [
      'no tengo señal en mi apartamento',
      'la red no funciona otra vez',
      'sin cobertura en mi calle',
      'no hay red desde anoche',
    ]) {
      expect(before.classify({ text }).complaint).toBe(false);
      expect(after.classify({ text }).complaint).toBe(true);
    }
  });

  it('leave unrelated texts where they were', () => {
    // Before the fix: store hours 0.063 -> 0.719, "Hola, buenos días" and "hello" became complaints.
    for (const text of [
      'What are your store hours?',
      'Hola, buenos días',
      'hello',
      'Where is the nearest store?',
      'Do you sell iPhone cases?',
      'How do I change my password?',
      'Can I upgrade my phone?',
      'no worries, have a nice day',
      'No, that is all, thank you',
      'When does my contract end?',
      'what time do you close',
      'Thanks for the help!',
    ]) {
      const [b, a] = [before.classify({ text }), after.classify({ text })];
      expect(Math.abs(a.complaintScore - b.complaintScore), text).toBeLessThan(0.1);
      expect(a.complaint, text).toBe(b.complaint);
      // Where the topic was a clear call. "No, that is all, thank you" is a near tie of praise
      // and other (0.49 / 0.51 with the topic-words head under v8, 0.45 / 0.55 under v9, 0.40 /
      // 0.60 under v10): the shared "no" moves praise by about 0.2 with or without the head (the
      // linear model alone: 0.54 -> 0.75), which flips a near tie only.
      const [first, second] = Object.values(b.topicScores).sort((x, y) => y - x);
      if (first - second > 0.25) expect(a.topic, text).toBe(b.topic);
    }
  });

  it('never step the shared features, and move no weight by more than MAX_SHIFT', () => {
    const m = applyCorrections(shipped, SPANISH_NETWORK);
    for (const s of SHARED_FEATURES) {
      expect(m.complaint[s]).toBe(shipped.complaint[s]);
      for (let k = 0; k < K; k++) expect(m.topic[s * K + k]).toBe(shipped.topic[s * K + k]);
    }
    for (const s of changedSlots(shipped, m)) {
      expect(Math.abs(m.complaint[s] - shipped.complaint[s])).toBeLessThanOrEqual(MAX_SHIFT + 1e-6);
      for (let k = 0; k < K; k++)
        expect(Math.abs(m.topic[s * K + k] - shipped.topic[s * K + k])).toBeLessThanOrEqual(
          MAX_SHIFT + 1e-6,
        );
    }
  });

  it('SHARED_FEATURES lists every feature that does not come from the words', () => {
    // Two texts of the same shape with different two-letter words (no character grams) share
    // exactly the features that are not about the words: all of them must be frozen.
    const long = Array(20).fill('{}').join(' ');
    for (const shape of ['{}', '{} {} {} {} {} {} {}', long]) {
      const a = new Set(analyse(shape.replaceAll('{}', 'zq')).indices);
      const shared = analyse(shape.replaceAll('{}', 'xv')).indices.filter((s) => a.has(s));
      expect(shared.length).toBeGreaterThan(0);
      for (const s of shared) expect(SHARED_FEATURES.has(s), shape).toBe(true);
    }
    // And every name in it is one features.ts emits (a misspelt name would freeze nothing).
    const emitted = new Set(
      [
        'ok',
        'I HATE THIS TERRIBLE AWFUL USELESS SERVICE',
        'bad',
        'good',
        'I love it, great, amazing, wonderful, best ever',
        'yeah great, thanks a lot for nothing',
        '@abc is this the right number? we will see how it goes from here on out then',
        'this is broken and awful and useless and the worst',
        'nice',
        'cool',
        'oh great, another outage /s',
        'great service... NOT',
        'yeah great, thanks a lot 🙄',
      ].flatMap((t) => analyse(t).indices),
    );
    for (const s of SHARED_FEATURES) expect(emitted.has(s), String(s)).toBe(true);
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
    // Nothing frozen, so every feature takes model.ts's step.
    const local = new CorrectionWeights(shipped, analysed, new Set());
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
