import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { assistClassify, isUnsure, maskPii, parseLabel } from './assist.js';
import { createTriage } from './index.js';
import type { LlmClient } from './llm.js';
import type { Topic, TriageResult } from './types.js';

describe('LLM assistance helpers', () => {
  it('reads a label from fenced or chatty answers and refuses unknown topics', () => {
    expect(parseLabel('Sure! {"complaint": false, "topic": "praise"}')).toEqual({
      complaint: false,
      topic: 'praise',
    });
    expect(parseLabel('{"complaint": "yes", "topic": "weather"}')).toBeNull();
    expect(parseLabel('no json here')).toBeNull();
    expect(parseLabel('{broken')).toBeNull();
  });

  it('masks personal data before text leaves the process', () => {
    const masked = maskPii('card 4111 1111 1111 1111, mail me at jo@example.com');
    expect(masked).not.toMatch(/4111|jo@example/);
    expect(masked).toContain('[card]');
    expect(masked).toContain('[email]');
  });

  it('calls clear messages sure and borderline ones unsure', () => {
    const t = createTriage();
    const th = t.model.complaintThreshold;
    expect(isUnsure(t.classify({ text: 'no signal in 94110 for three days, useless' }), th)).toBe(
      false,
    );
    const borderline = { ...t.classify({ text: 'hello' }), complaintScore: th + 0.05 };
    expect(isUnsure(borderline, th)).toBe(true);
  });

  it('is off by default and validated when configured', () => {
    expect(loadConfig({}).llm).toBeNull();
    expect(() => loadConfig({ THROUGHLINE_LLM_URL: 'ftp://x' })).toThrow(/THROUGHLINE_LLM_URL/);
    expect(() => loadConfig({ THROUGHLINE_LLM_URL: 'http://127.0.0.1:9' })).toThrow(
      /THROUGHLINE_LLM_MODEL/,
    );
    expect(
      loadConfig({ THROUGHLINE_LLM_URL: 'http://127.0.0.1:9', THROUGHLINE_LLM_MODEL: 'm' }).llm,
    ).toMatchObject({ url: 'http://127.0.0.1:9', model: 'm', apiKey: '', timeoutMs: 8000 });
  });
});

/** An LLM that always answers `content` (assistClassify only calls chat). */
const answering = (content: string) => ({ chat: async () => content }) as unknown as LlmClient;
const TH = 0.375;
/** An unsure offline result: complaint score under the threshold, topic scores as given. */
const offline = (topic: Topic, scores: Partial<Record<Topic, number>>, complaintScore = 0.276) => {
  const base = createTriage().classify({ text: 'hello' });
  const topicScores = { ...base.topicScores };
  for (const k of Object.keys(topicScores) as Topic[]) topicScores[k] = scores[k] ?? 0;
  return { ...base, complaint: complaintScore >= TH, complaintScore, topic, topicScores };
};
const top = (r: TriageResult) =>
  (Object.entries(r.topicScores) as [Topic, number][]).sort((a, b) => b[1] - a[1])[0][0];

describe('the LLM as a second opinion', () => {
  const praise = offline('praise', { praise: 0.45, billing: 0.3, outage: 0.2, other: 0.05 });

  it('never calls praise a complaint: a complaint flag on praise moves to its likeliest other topic', async () => {
    for (const answer of ['{"complaint":true}', '{"complaint":true,"topic":"praise"}']) {
      const r = await assistClassify(
        praise,
        'good job on the outage fix but my bill',
        TH,
        answering(answer),
      );
      expect(r, answer).toMatchObject({ source: 'llm', complaint: true, topic: 'billing' });
    }
  });

  it('takes praise alone as no complaint, as an agent correction does', async () => {
    const billing = offline('billing', { billing: 0.45, praise: 0.4, other: 0.15 }, 0.5);
    const r = await assistClassify(billing, 'thanks', TH, answering('{"topic":"praise"}'));
    expect(r).toMatchObject({ source: 'llm', complaint: false, topic: 'praise' });
    expect(r.complaintScore).toBeLessThan(TH);
  });

  it('returns scores that agree with its labels, the offline ones kept apart', async () => {
    const net = offline('network', { network: 0.4, billing: 0.3, other: 0.3 });
    const r = await assistClassify(
      net,
      'hmm',
      TH,
      answering('{"complaint":true,"topic":"billing"}'),
    );
    expect(r).toMatchObject({ complaint: true, topic: 'billing', complaintScore: 1 });
    expect(top(r)).toBe('billing');
    expect(r.topicScores).toMatchObject({ billing: 0.4, network: 0.3 });
    expect(r.offline).toEqual({
      complaint: false,
      complaintScore: 0.276,
      topic: 'network',
      topicScores: net.topicScores,
    });
    // Agreeing with the offline model changes no score.
    const same = await assistClassify(
      net,
      'hmm',
      TH,
      answering('{"complaint":false,"topic":"network"}'),
    );
    expect([same.complaintScore, same.topicScores]).toEqual([0.276, net.topicScores]);
    const praised = await assistClassify(praise, 'x', TH, answering('{"complaint":true}'));
    expect([praised.complaintScore, top(praised)]).toEqual([1, 'billing']);
  });
});
