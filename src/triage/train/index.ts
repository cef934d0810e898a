/**
 * `npm run train`: builds the shipped triage model from the data we wrote (data/triage/) and
 * writes data/triage/model.v1.json. Deterministic: same inputs, same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { analyse } from '../features.js';
import { complaintStep, emptyModel, modelToJSON, topicStep } from '../model.js';
import { TOPICS } from '../types.js';
import { MODEL_VERSION, modelUrl } from '../weights.js';
import { expand, readTemplates, rng, shuffle } from './generate.js';

const DATA = new URL('../../../data/triage/', import.meta.url);
const SEED = 20240601;
const VARIANTS = 12;
const EPOCHS = 10;

export function train() {
  const templates = readTemplates(new URL('templates/', DATA));
  const slots = JSON.parse(readFileSync(new URL('slots.json', DATA), 'utf8')) as Record<
    string,
    string[]
  >;
  const examples = expand(templates, slots, VARIANTS, SEED);
  const analysed = examples.map((e) => ({ e, a: analyse(e.text) }));
  const model = emptyModel(MODEL_VERSION);
  const rand = rng(SEED + 1);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(analysed, rand);
    const rate = 0.2 / (1 + epoch * 0.5);
    let cLoss = 0;
    let tLoss = 0;
    for (const { e, a } of analysed) {
      cLoss += complaintStep(model, a, e.complaint, rate);
      tLoss += topicStep(model, a, TOPICS.indexOf(e.topic), rate);
    }
    console.log(
      `epoch ${epoch + 1}: complaint loss ${(cLoss / analysed.length).toFixed(4)}, topic loss ${(tLoss / analysed.length).toFixed(4)}`,
    );
  }
  return { model, examples: examples.length, templates: templates.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { model, examples, templates } = train();
  const json = modelToJSON(model);
  writeFileSync(modelUrl(), `${JSON.stringify(json)}\n`);
  console.log(
    `trained ${MODEL_VERSION} on ${examples} sentences from ${templates} templates; ` +
      `${json.complaint.i.length + json.topic.i.length} non-zero weights -> ${modelUrl().pathname}`,
  );
}
