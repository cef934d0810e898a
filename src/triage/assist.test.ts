import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { isUnsure, maskPii, parseLabel } from './assist.js';
import { createTriage } from './index.js';

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
