import { afterEach, describe, expect, it, vi } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { classify as classifyStage } from '../ingest/pipeline/stages/classify.js';
import { normalise } from '../ingest/pipeline/stages/normalise.js';
import type { BatchState, StageContext, WorkItem } from '../ingest/pipeline/types.js';
import { ClassifyAhead } from './classify-ahead.js';
import { createTriage, loadShippedModel } from './index.js';

const texts = [
  'My internet has been down since this morning in 94110, call me on 415-555-0134',
  'Billing charged me twice\r\nfor order 88123 — fix it or I cancel 😡',
  'Thanks, the engineer was great!',
  'Se cayó el servicio otra vez en Madrid',
];

function logged(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    seq: 1000 + i,
    payload_json: JSON.stringify(
      aMessage({
        text: texts[i % texts.length],
        author: { id: `a${i}`, location: i % 2 ? 'Denver, CO' : undefined },
        ...(i % 5 === 4 ? { direction: 'out' as const } : {}),
      }),
    ),
  }));
}

/** What the pipeline's own stages make of these events, classifying inline. */
function inline(events: ReturnType<typeof logged>, classify: StageContext['classify']) {
  const items = events.map(
    (e) =>
      ({
        seq: e.seq,
        payloadJson: e.payload_json,
        msg: null,
        rejected: null,
        direction: 'in',
        text: '',
      }) as unknown as WorkItem,
  );
  const batch = { items } as BatchState;
  normalise.run(batch, {} as StageContext);
  return { batch, ctx: { classify } as StageContext };
}

describe('classify ahead', () => {
  const model = loadShippedModel();
  const triage = createTriage(model);
  let ahead: ClassifyAhead;
  afterEach(async () => {
    await ahead.close();
  });

  it('gives the classify stage exactly the answers it would compute itself', async () => {
    ahead = new ClassifyAhead(() => model);
    const events = logged(40);
    ahead.submit(events);
    const inbound = events.filter((_, i) => i % 5 !== 4);
    await vi.waitFor(() => expect(inbound.every((e) => ahead.ready(e.seq))).toBe(true), {
      timeout: 60_000,
      interval: 50,
    });
    // Outbound messages are not triaged, so the thread has nothing for them.
    expect(events.filter((_, i) => i % 5 === 4).some((e) => ahead.ready(e.seq))).toBe(false);

    const own = inline(events, triage.classify);
    await classifyStage.run(own.batch, own.ctx);
    let inlineCalls = 0;
    const viaAhead = inline(events, (input) => {
      inlineCalls++;
      return triage.classify(input);
    });
    await classifyStage.run(viaAhead.batch, { ...viaAhead.ctx, ahead });
    expect(inlineCalls).toBe(0);
    expect(viaAhead.batch.items.map((i) => i.triage)).toEqual(own.batch.items.map((i) => i.triage));
    expect(own.batch.items.filter((i) => i.triage).length).toBe(inbound.length);
  });

  it('answers only for the payload it was given and the model it used', async () => {
    let current = model;
    ahead = new ClassifyAhead(() => current);
    const events = logged(8);
    ahead.submit(events);
    await vi.waitFor(() => expect(ahead.ready(events[0].seq)).toBe(true), {
      timeout: 60_000,
      interval: 50,
    });
    await vi.waitFor(() => expect(ahead.ready(events[1].seq)).toBe(true));
    // Another payload under the same seq (another log, a replay): not this answer.
    expect(ahead.take(events[0].seq, events[2].payload_json)).toBeUndefined();
    expect(ahead.take(events[1].seq, events[1].payload_json)).toBeDefined();
    // Taken once only.
    expect(ahead.take(events[1].seq, events[1].payload_json)).toBeUndefined();
    // The model was rebuilt since (an agent's correction): answers of the old one are dropped.
    current = { ...model };
    await vi.waitFor(() => expect(ahead.ready(events[2].seq)).toBe(true));
    expect(ahead.take(events[2].seq, events[2].payload_json)).toBeUndefined();
  });

  it('classifies nothing after close, and the stage still classifies inline', async () => {
    ahead = new ClassifyAhead(() => model);
    await ahead.close();
    const events = logged(4);
    ahead.submit(events);
    await ahead.settle(events.map((e) => e.seq));
    const { batch, ctx } = inline(events, triage.classify);
    await classifyStage.run(batch, { ...ctx, ahead });
    expect(batch.items[0].triage).toEqual(triage.classify({ text: texts[0], channel: 'api' }));
  });
});
