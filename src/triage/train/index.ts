/**
 * `npm run train`: builds the shipped triage model from the data we wrote (data/triage/) plus the
 * permissively licensed sets of external.ts, and writes data/triage/model.v2.json.
 * Deterministic: same inputs, same bytes. Never reads complaints-acl2019, twcs or
 * twcs-labelled-risk: those measure the model (`npm run eval -- triage`), they do not teach it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Analysis, analyse } from '../features.js';
import { complaintProbability, emptyModel, modelToJSON, type TriageModel } from '../model.js';
import { TOPICS, type Topic } from '../types.js';
import { MODEL_VERSION, modelUrl } from '../weights.js';
import { loadExternal } from './external.js';
import { expand, readTemplates, rng, shuffle, type Template } from './generate.js';
import { AveragedTrainer } from './sgd.js';

const DATA = new URL('../../../data/triage/', import.meta.url);
const SEED = 20240601;
const VARIANTS = 12;
const EPOCHS = 10;
const RATE = 0.1;
// External sentences are not tweets; they count less than ours.
const EXTERNAL_WEIGHT = 0.3;
// Topic classes are evened out: weight (mean count / count) per class.
const TOPIC_BALANCE = 1;
// Every CALIBRATION_EVERY-th template is held out to choose the complaint threshold.
const CALIBRATION_EVERY = 8;

interface Item {
  text: string;
  complaint: 0 | 1;
  topic?: Topic;
  /** 1 for our sentences, EXTERNAL_WEIGHT for third-party ones. */
  w: number;
}

function balancedTopicWeights(items: readonly Item[]): number[] {
  const counts = TOPICS.map((t) => items.filter((e) => e.w === 1 && e.topic === t).length);
  const mean = counts.reduce((a, b) => a + b, 0) / TOPICS.length;
  return counts.map((n) => (n > 0 ? (mean / n) ** TOPIC_BALANCE : 1));
}

/**
 * Whether an example teaches the topic model. A complaint about a cold burger or a late flight is
 * topic "other" by our taxonomy, but its words ("waited", "hours", "nobody") are complaint
 * evidence, not topic evidence: learning them as "other" pulled real billing and outage tweets
 * into "other". So "other" is learned from non-complaints only and stays the fallback.
 */
const teachesTopic = (e: Item): e is Item & { topic: Topic } =>
  e.topic !== undefined && e.w === 1 && !(e.topic === 'other' && e.complaint === 1);

function fit(items: readonly Item[], log: (line: string) => void): TriageModel {
  const analysed: { e: Item; a: Analysis }[] = items.map((e) => ({ e, a: analyse(e.text) }));
  const topicWeight = balancedTopicWeights(items);
  const model = emptyModel(MODEL_VERSION);
  const trainer = new AveragedTrainer(model);
  const rand = rng(SEED + 1);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(analysed, rand);
    let cLoss = 0;
    let tLoss = 0;
    for (const { e, a } of analysed) {
      cLoss += trainer.complaint(a, e.complaint, RATE, e.w);
      if (teachesTopic(e)) {
        const k = TOPICS.indexOf(e.topic);
        tLoss += trainer.topic(a, k, RATE, topicWeight[k]);
      }
    }
    const n = analysed.length;
    log(
      `epoch ${epoch + 1}: complaint loss ${(cLoss / n).toFixed(4)}, topic loss ${(tLoss / n).toFixed(4)}`,
    );
  }
  trainer.finish();
  return model;
}

/** The threshold with the best macro-F1 on held-out sentences of ours (never on eval data). */
function calibrate(model: TriageModel, held: readonly Item[]): number {
  const scored = held.map((e) => ({
    p: complaintProbability(model, analyse(e.text)),
    y: e.complaint,
  }));
  let best = { th: 0.5, f1: -1 };
  for (let th = 0.2; th <= 0.8001; th += 0.025) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const { p, y } of scored) {
      if (p >= th) y ? tp++ : fp++;
      else y ? fn++ : tn++;
    }
    const f1c = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
    const f1n = (2 * tn) / Math.max(1, 2 * tn + fn + fp);
    const f1 = (f1c + f1n) / 2;
    if (f1 > best.f1 + 1e-9) best = { th: Math.round(th * 1000) / 1000, f1 };
  }
  return best.th;
}

function itemsOf(templates: readonly Template[], slots: Record<string, string[]>): Item[] {
  return expand(templates, slots, VARIANTS, SEED).map((e) => ({ ...e, w: 1 }));
}

export function train(log: (line: string) => void = console.log) {
  const templates = readTemplates(new URL('templates/', DATA));
  const slots = JSON.parse(readFileSync(new URL('slots.json', DATA), 'utf8')) as Record<
    string,
    string[]
  >;
  const external = loadExternal().examples.map((e) => ({ ...e, w: EXTERNAL_WEIGHT }));
  if (external.length === 0) log('warning: ../shared/data absent; training on our sentences only');

  // 1. Choose the complaint threshold on templates the model has not seen (all their variants).
  const kept = templates.filter((_t, i) => i % CALIBRATION_EVERY !== 0);
  const held = templates.filter((_t, i) => i % CALIBRATION_EVERY === 0);
  const probe = fit([...itemsOf(kept, slots), ...external], () => {});
  const threshold = calibrate(probe, itemsOf(held, slots));
  log(`complaint threshold ${threshold} (macro-F1 on ${held.length} held-out templates of ours)`);

  // 2. Train on everything.
  const items = [...itemsOf(templates, slots), ...external];
  const model = fit(items, log);
  model.complaintThreshold = threshold;
  return {
    model,
    examples: items.length,
    templates: templates.length,
    sources: loadExternal().sources,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { model, examples, templates, sources } = train();
  const json = modelToJSON(model);
  writeFileSync(modelUrl(), `${JSON.stringify(json)}\n`);
  console.log(
    `trained ${MODEL_VERSION} on ${examples} sentences from ${templates} templates; ` +
      `plus ${sources.join(', ') || 'no external data'}; ` +
      `${json.complaint.i.length + json.topic.i.length} non-zero weights -> ${modelUrl().pathname}`,
  );
}
