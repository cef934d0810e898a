import { describe, expect, it } from 'vitest';
import { toMessageDto } from '../cases/case.dto.js';
import { classify } from './index.js';
import { TOPICS } from './types.js';

describe('topicScores agree with topic', () => {
  it('puts the chosen topic on top when a rule overrode the model', () => {
    // "no wifi": the short-trouble rule picks network over the model's other (0.651 vs 0.326).
    for (const text of [
      'no wifi',
      'no service',
      'internet is down',
      'phone won’t turn on',
      'no signal since this morning',
      'thanks for nothing, love paying for no service',
      'what are your store hours?',
    ]) {
      const r = classify({ text });
      const top = Math.max(...Object.values(r.topicScores));
      expect(r.topicScores[r.topic], text).toBe(top);
      expect(Object.values(r.topicScores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    }
    expect(classify({ text: 'no wifi' }).topic).toBe('network');
  });

  it('leaves the scores as the model gave them when it chose the top topic itself', () => {
    const r = classify({ text: 'my bill doubled this month, why?' });
    const sorted = [...TOPICS].sort((a, b) => r.topicScores[b] - r.topicScores[a]);
    expect(r.topic).toBe(sorted[0]);
  });
});

describe('a stored message as the API shows it', () => {
  it('has an area object, as classify answers, where the stored triage says null', () => {
    const triage = { ...classify({ text: 'no wifi' }), area: null };
    const dto = toMessageDto({
      id: 'm1',
      workspace_id: 'w',
      case_id: null,
      customer_id: null,
      channel: 'sms',
      channel_id: null,
      external_id: 'x1',
      direction: 'in',
      visibility: 'public',
      author_address: '+15550100',
      author_name: null,
      text: 'no wifi',
      sent_at: 0,
      received_at: 0,
      in_reply_to: null,
      conversation_id: null,
      language: 'en',
      attachments_json: '[]',
      triage_json: JSON.stringify(triage),
      raw_json: null,
      status: 'received',
      user_id: null,
      deleted_at: null,
      unsolicited: 0,
    });
    expect(dto.triage?.area).toEqual({
      postalCode: null,
      city: null,
      region: null,
      country: null,
      confidence: 0,
    });
  });
});
