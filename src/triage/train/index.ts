/**
 * `npm run train`: builds the shipped triage model from the data we wrote (data/triage/) and
 * writes data/triage/model.v1.json. Deterministic: same inputs, same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { analyse } from '../features.js';
import { emptyModel, modelToJSON } from '../model.js';
import { TOPICS } from '../types.js';
import { MODEL_VERSION, modelUrl } from '../weights.js';
import { loadExternal } from './external.js';
import { expand, readTemplates, rng, shuffle } from './generate.js';
import { AveragedTrainer } from './sgd.js';

const DATA = new URL('../../../data/triage/', import.meta.url);
const SEED = 20240601;
const VARIANTS = 12;
const EPOCHS = 10;
// External sentences are not tweets; they count less than ours (chosen on the ACL dev half).
const EXTERNAL_WEIGHT = 0.3;
// Complaint threshold, chosen on the dev half of complaints-acl2019 (see eval/triage).
const COMPLAINT_THRESHOLD = 0.45;

export function train() {
  const templates = readTemplates(new URL('templates/', DATA));
  const slots = JSON.parse(readFileSync(new URL('slots.json', DATA), 'utf8')) as Record<
    string,
    string[]
  >;
  const examples = expand(templates, slots, VARIANTS, SEED);
  const external = loadExternal();
  type Item = { text: string; complaint: 0 | 1; topic?: (typeof TOPICS)[number]; w: number };
  const items: Item[] = [
    ...examples.map((e) => ({ ...e, w: 1 })),
    ...external.examples.map((e) => ({ ...e, w: EXTERNAL_WEIGHT })),
  ];
  const analysed = items.map((e) => ({ e, a: analyse(e.text) }));
  const model = emptyModel(MODEL_VERSION);
  const trainer = new AveragedTrainer(model);
  const rand = rng(SEED + 1);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(analysed, rand);
    const rate = 0.1;
    let cLoss = 0;
    let tLoss = 0;
    for (const { e, a } of analysed) {
      cLoss += trainer.complaint(a, e.complaint, rate, e.w);
      if (e.topic && (e.w === 1 || process.env.EXT_TOPIC))
        tLoss += trainer.topic(a, TOPICS.indexOf(e.topic), rate);
    }
    console.log(
      `epoch ${epoch + 1}: complaint loss ${(cLoss / analysed.length).toFixed(4)}, topic loss ${(tLoss / analysed.length).toFixed(4)}`,
    );
  }
  trainer.finish();
  model.complaintThreshold = COMPLAINT_THRESHOLD;
  if (external.sources.length === 0) {
    console.warn('warning: ../shared/data absent; trained on our own sentences only');
  }
  return {
    model,
    examples: analysed.length,
    templates: templates.length,
    sources: external.sources,
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
