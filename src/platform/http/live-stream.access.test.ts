import { beforeAll, describe, expect, it } from 'vitest';
import { logIn, sessionCookie } from '../../../test/builders.js';
import { readStream } from '../../../test/support/sse.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld } from '../../cases/test-world.js';

/**
 * Disabling a user, changing their role or revoking a token ends their open live streams at once
 * (README: disabling takes effect at once), not at the stream's next 30-second check: no event
 * published after the change reaches them. Streams of others go on, and never see the signal.
 */
describe('live streams end at once when access changes', () => {
  const t = suiteApp('sqlite');
  const { api } = careWorld(() => t);
  let base: string;
  beforeAll(async () => {
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  });
  const person = async (email: string, role: string) => {
    const made = await api('POST', '/api/v1/users', {
      email,
      name: email,
      role,
      password: 'stream password 1',
    });
    expect(made.statusCode, made.body).toBe(201);
    const login = await logIn(t, email, 'stream password 1');
    return { id: made.json().id as string, cookie: sessionCookie(login) };
  };
  const open = async (headers: Record<string, string>) => {
    const res = await fetch(`${base}/api/v1/events`, { headers });
    expect(res.status).toBe(200);
    return res.body as ReadableStream<Uint8Array>;
  };

  it('on disable, role change and revoke; others go on', async () => {
    const agent = await person('stream-agent@example.test', 'agent');
    const sup = await person('stream-sup@example.test', 'supervisor');
    const token = await api('POST', '/api/v1/tokens', { name: 'screen', role: 'agent' });
    expect(token.statusCode).toBe(201);
    const streams = {
      disabled: await open({ cookie: agent.cookie }),
      demoted: await open({ cookie: sup.cookie }),
      revoked: await open({ authorization: `Bearer ${token.json().token}` }),
      bystander: await open(t.auth),
    };

    expect((await api('DELETE', `/api/v1/tokens/${token.json().id}`)).statusCode).toBe(200);
    expect((await api('PATCH', `/api/v1/users/${agent.id}`, { disabled: true })).statusCode).toBe(
      200,
    );
    expect((await api('PATCH', `/api/v1/users/${sup.id}`, { role: 'agent' })).statusCode).toBe(200);
    t.app.bus.publish({
      type: 'case.updated',
      workspaceId: t.app.workspace.workspaceId,
      data: { caseId: 'after-the-change' },
    });

    for (const name of ['disabled', 'demoted', 'revoked'] as const) {
      const { ended, text } = await readStream(streams[name], 5_000);
      expect(ended, name).toBe(true);
      expect(text, name).toContain('event: end');
      expect(text, name).not.toContain('after-the-change');
    }
    const other = await readStream(streams.bystander, 5_000, 'after-the-change');
    expect(other.ended).toBe(false);
    expect(other.text).toContain('after-the-change');
    expect(other.text).not.toContain('access.changed');
  });
});
