import { afterEach, describe, expect, it } from 'vitest';
import { servedOverHttps } from '../src/config.js';
import { signInNew, type TestApp, testApp } from './builders.js';

/** The session cookie is `Secure` whenever the desk is served over https, however the URL is cased. */
describe('Secure session cookie', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const loginCookie = async (publicUrl: string) => {
    t = await testApp('sqlite', { publicUrl });
    const res = await signInNew(t, {
      email: 'cookie@example.test',
      password: 'cookie password 1',
      name: 'Cookie',
    });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']);
  };

  it('is Secure with an upper-case HTTPS scheme', async () => {
    expect(await loginCookie('HTTPS://desk.example.test')).toMatch(/; Secure/);
  });

  it('is not Secure over plain http', async () => {
    expect(await loginCookie('http://desk.example.test')).not.toMatch(/Secure/);
  });

  it('reads the scheme as a URL does', () => {
    expect(servedOverHttps('https://desk.example.test')).toBe(true);
    expect(servedOverHttps('HttpS://desk.example.test/path')).toBe(true);
    expect(servedOverHttps('http://desk.example.test')).toBe(false);
    expect(servedOverHttps('not a url')).toBe(false);
  });
});
