/** Area checks, throughput/memory and the effect of agents' corrections. */
import { readFileSync } from 'node:fs';
import { hashFeature } from '../../src/triage/features.js';
import { applyCorrections, createTriage, type Triage } from '../../src/triage/index.js';
import type { Area, Topic } from '../../src/triage/types.js';
import { type ComplaintRow, complaintF1 } from './complaints.js';
import { type LabelledTweet, topicAccuracy } from './topics.js';

interface AreaCase {
  text: string;
  authorLocation?: string;
  expect: Partial<Area> | null;
}

export function reportArea(triage: Triage): void {
  const cases = JSON.parse(
    readFileSync(new URL('area-cases.json', import.meta.url), 'utf8'),
  ) as AreaCase[];
  let ok = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const got = triage.classify({ text: c.text, authorLocation: c.authorLocation }).area;
    const pass =
      c.expect === null
        ? got === null
        : got !== null && Object.entries(c.expect).every(([k, v]) => got[k as keyof Area] === v);
    if (pass) ok++;
    else
      failures.push(`  FAIL "${c.text}" / ${c.authorLocation ?? '-'}: got ${JSON.stringify(got)}`);
  }
  console.log(
    `\n== Area extraction: ${cases.length} cases written by us (eval/triage/area-cases.json)`,
  );
  console.log(`correct ${ok}/${cases.length}`);
  for (const f of failures) console.log(f);
}

/**
 * Agents' corrections: our labelled telecom tweets split in two halves by id hash; one half plays
 * the corrections an installation's agents would make, accuracy is measured on the other half
 * before and after (both ways round, so every tweet is held out once), with a learning curve over
 * how many corrections were made. Same for complaint flags with the ACL dev half as corrections
 * and its test half as held-out. This is exactly what InstallationTriage replays.
 */
export function reportCorrections(
  triage: Triage,
  tweets: readonly LabelledTweet[] | null,
  complaints: readonly ComplaintRow[] | null,
): void {
  console.log('\n== Learning from corrections (applyCorrections, held-out halves)');
  if (tweets) {
    const customer = tweets.filter((t) => t.topic !== 'agent');
    const halves = [0, 1].map((h) => customer.filter((t) => hashFeature(`c${t.id}`) % 2 === h));
    const sums = { before: 0, after: 0, n: 0 };
    for (const [fold, [train, held]] of [
      [halves[0], halves[1]],
      [halves[1], halves[0]],
    ].entries()) {
      const before = topicAccuracy(triage, held).accuracy;
      const curve: string[] = [];
      let after = before;
      for (const share of [0.25, 0.5, 1]) {
        const used = train.slice(0, Math.round(train.length * share));
        const updated = createTriage(
          applyCorrections(
            triage.model,
            used.map((t) => ({ text: t.text, topic: t.topic as Topic })),
          ),
        );
        after = topicAccuracy(updated, held).accuracy;
        curve.push(`${used.length}: ${after.toFixed(3)}`);
      }
      sums.before += before * held.length;
      sums.after += after * held.length;
      sums.n += held.length;
      console.log(
        `topic fold ${fold + 1}: held-out ${held.length}, accuracy ${before.toFixed(3)} -> ${curve.join(', ')} (corrections: accuracy)`,
      );
    }
    console.log(
      `topic, both folds: accuracy ${(sums.before / sums.n).toFixed(3)} -> ${(sums.after / sums.n).toFixed(3)} on ${sums.n} held-out tweets`,
    );
    reportOwnText(triage, customer);
  } else console.log('topic: skipped (twcs absent)');
  if (complaints) {
    const train = complaints.filter((r) => r.half === 'dev');
    const held = complaints.filter((r) => r.half === 'test');
    const before = complaintF1(triage, held).macroF1;
    const updated = createTriage(
      applyCorrections(
        triage.model,
        train.map((r) => ({ text: r.text, complaint: r.complaint })),
      ),
    );
    const after = complaintF1(updated, held).macroF1;
    console.log(
      `complaint: ${train.length} corrections (ACL dev half), held-out test half ${held.length}: macro-F1 ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
  } else console.log('complaint: skipped (complaints-acl2019 absent)');
}

/**
 * What an agent sees: a tweet the model got wrong, corrected once (and twice), then classified
 * again. A learner cautious enough to generalise should still learn the text it was told about.
 */
function reportOwnText(triage: Triage, tweets: readonly LabelledTweet[]): void {
  const wrong = tweets.filter((t) => triage.classify({ text: t.text }).topic !== t.topic);
  const learned = [1, 2].map(
    (times) =>
      wrong.filter((t) => {
        const c = { text: t.text, topic: t.topic as Topic };
        const updated = createTriage(applyCorrections(triage.model, Array(times).fill(c)));
        return updated.classify({ text: t.text }).topic === t.topic;
      }).length,
  );
  console.log(
    `the corrected text itself: of ${wrong.length} tweets the model gets wrong, right after one correction ${learned[0]}, after two ${learned[1]}`,
  );
}
