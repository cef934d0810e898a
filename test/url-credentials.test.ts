import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/config.js';
import { asAdmin } from './builders.js';
import { suiteApp } from './support/suite.js';

describe('secrets in configured URLs', () => {
  it('the database URL is printed without its password, wherever it is', () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/desk')).toBe(
      'postgres://app:***@db:5432/desk',
    );
    expect(
      redactUrl('postgres://app@db/desk?sslmode=require&password=hunter2&application_name=x'),
    ).toBe('postgres://app@db/desk?sslmode=require&password=***&application_name=x');
    expect(redactUrl('postgres://db/desk?sslpassword=s3&sslkey=/k.pem&user=app')).toBe(
      'postgres://db/desk?sslpassword=***&sslkey=***&user=app',
    );
    // A password holding `@` or `/` is hidden whole, not just up to its first `@`.
    expect(redactUrl('postgres://app:p@ss/w0rd@db/desk')).toBe('postgres://app:***@db/desk');
    expect(redactUrl('sqlite:./data/throughline.db')).toBe('sqlite:./data/throughline.db');
  });

  describe('URL settings with a user name or password are refused at save', () => {
    const t = suiteApp('sqlite');
    const post = (url: string, payload: object) =>
      t.app.http.inject({ method: 'POST', url, headers: t.auth, payload });

    it('for escalation targets', async () => {
      const jira = {
        kind: 'jira',
        name: 'jira',
        config: {
          baseUrl: 'http://bot:jira-pass@127.0.0.1:9',
          projectKey: 'OPS',
          email: 'b@x.test',
        },
        secrets: { apiToken: 'jira-token' },
      };
      const refused = await post('/api/v1/integrations', jira);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toContain('config.baseUrl');
      expect(refused.body).not.toContain('jira-pass');
      const webhook = await post('/api/v1/integrations', {
        kind: 'webhook',
        name: 'hook',
        config: { url: 'https://user@hooks.example.test/in' },
        secrets: { secret: 'a-long-enough-secret' },
      });
      expect(webhook.statusCode).toBe(400);
      // Without credentials it is taken, and a PATCH cannot put them in afterwards.
      const ok = await post('/api/v1/integrations', {
        ...jira,
        config: { ...jira.config, baseUrl: 'http://127.0.0.1:9' },
      });
      expect(ok.statusCode).toBe(201);
      const patched = await asAdmin(t, 'PATCH', `/api/v1/integrations/${ok.json().id}`, {
        config: { baseUrl: 'http://bot:jira-pass@127.0.0.1:9' },
      });
      expect(patched.statusCode).toBe(400);
    });

    it('for channels', async () => {
      const sms = await post('/api/v1/channels', {
        kind: 'sms',
        name: 'SMS',
        config: {
          accountSid: `AC${'0'.repeat(32)}`,
          from: '+14155550100',
          apiBaseUrl: 'https://AC0:tok@api.twilio.test',
        },
        secrets: { authToken: 'sms-auth-token' },
      });
      expect(sms.statusCode).toBe(400);
      const x = await post('/api/v1/channels', {
        kind: 'x',
        name: 'X',
        config: { accountId: '1234', apiBaseUrl: 'http://me:pw@127.0.0.1:9' },
        secrets: { consumerSecret: 'x-consumer-secret' },
      });
      expect(x.statusCode).toBe(400);
      const meta = await post('/api/v1/channels', {
        kind: 'meta',
        name: 'Meta',
        config: { pageId: '123', graphBaseUrl: 'http://me@127.0.0.1:9' },
        secrets: { appSecret: 'meta-app-secret', verifyToken: 'the-verify-token' },
      });
      expect(meta.statusCode).toBe(400);
      const fine = await post('/api/v1/channels', {
        kind: 'x',
        name: 'X',
        config: { accountId: '1234', apiBaseUrl: 'http://127.0.0.1:9/a@b' },
        secrets: { consumerSecret: 'x-consumer-secret' },
      });
      expect(fine.statusCode).toBe(201);
    });
  });
});
