import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from './http/server.js';
import { loggableUrl } from './log-url.js';
import { createLogger } from './logging.js';

describe('request URLs in logs', () => {
  it('keep the path and parameter names, and only list mechanics as values', () => {
    expect(loggableUrl('/api/v1/cases?q=jane%40example.com&limit=25&status=open')).toBe(
      '/api/v1/cases?q=[redacted]&limit=25&status=open',
    );
    expect(
      loggableUrl('/webhooks/meta/c1?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=9'),
    ).toBe(
      '/webhooks/meta/c1?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=[redacted]',
    );
    expect(loggableUrl('/csat/abcDEF123?x')).toBe('/csat/[redacted]?x');
    // The survey's answer goes to the API with the same token in its path.
    expect(loggableUrl('/api/v1/csat/abcDEF1234567')).toBe('/api/v1/csat/[redacted]');
    expect(loggableUrl('/api/v1/CSAT/abcDEF1234567/x?y=1')).toBe(
      '/api/v1/CSAT/[redacted]/x?y=[redacted]',
    );
    expect(loggableUrl('/api/v1/c%73at/abcDEF1234567')).toBe('/api/v1/c%73at/[redacted]');
    expect(loggableUrl('/api/v1/csat')).toBe('/api/v1/csat');
    expect(loggableUrl('/api/v1/csat/')).toBe('/api/v1/csat/');
    expect(loggableUrl('/healthz')).toBe('/healthz');
    expect(loggableUrl('/api/v1/cases?')).toBe('/api/v1/cases');
  });

  it('a search for a customer, a verify token and a survey token never reach the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = createHttpServer(createLogger('info', { destination: sink }));
    app.get('/api/v1/cases', async () => ({ items: [] }));
    app.post('/api/v1/csat/:token', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/api/v1/cases?q=jane.doe%40example.com&limit=5' });
    await app.inject({
      method: 'POST',
      url: '/api/v1/csat/SurveyToken0123456789',
      payload: { rating: 5 },
    });
    await app.inject({ method: 'GET', url: '/webhooks/meta/x?hub.verify_token=s3cret-token' });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('/api/v1/cases?q=[redacted]&limit=5');
    expect(log).not.toContain('jane.doe');
    expect(log).not.toContain('s3cret-token');
    expect(log).toContain('/api/v1/csat/[redacted]');
    expect(log).not.toContain('SurveyToken0123456789');
  });
});
