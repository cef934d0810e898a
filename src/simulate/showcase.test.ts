import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type SimEvent, simulate } from './index.js';

const messages = (events: Iterable<SimEvent>) =>
  [...events].flatMap((e) => (e.type === 'message' ? [e.message] : []));
const SOCIAL = ['x', 'facebook', 'instagram'];
const asksForDm = (text: string) => /\bDM\b|private message/.test(text);

/**
 * The demo scenario is a showcase (showcase.ts); the measured ones are not, and must not change:
 * the problems evaluation scores the `eval` stream, so it is pinned here byte for byte.
 */
describe('showcase scenarios', () => {
  const demo = messages(simulate({ scenario: 'demo', seed: 42 }));
  const evalRun = messages(simulate({ scenario: 'eval', seed: 1, days: 3 }));

  it('asks for a DM only on a public social post', () => {
    const out = demo.filter((m) => m.direction === 'out');
    const offSocial = out.filter((m) => !(m.visibility === 'public' && SOCIAL.includes(m.channel)));
    expect(offSocial.length).toBeGreaterThan(200);
    expect(offSocial.filter((m) => asksForDm(m.text)).map((m) => m.text)).toEqual([]);
    // Public social threads still move private the social way.
    expect(out.some((m) => m.visibility === 'public' && asksForDm(m.text))).toBe(true);
  });

  it('gives every e-mail a subject, replies a "Re:" of the thread', () => {
    const email = demo.filter((m) => m.channel === 'email');
    expect(email.length).toBeGreaterThan(50);
    for (const m of email) expect(m.subject?.trim()).toBeTruthy();
    for (const m of email.filter((x) => x.direction === 'out')) expect(m.subject).toMatch(/^Re: /);
    // A subject is a subject, not the mail's greeting.
    expect(email.filter((m) => /^(Hello|Hi|Dear)\b/.test(m.subject ?? ''))).toEqual([]);
  });

  it('answers calls with a call that names the voicemail it returns', () => {
    const ids = new Set(demo.filter((m) => m.channel === 'voice').map((m) => m.externalId));
    const calls = demo.filter((m) => m.channel === 'voice' && m.direction === 'out');
    expect(calls.length).toBeGreaterThan(20);
    for (const c of calls) expect(ids.has(c.inReplyTo ?? '')).toBe(true);
  });

  it('leaves measured scenarios as they were: no subjects, calls unlinked, the eval stream pinned', () => {
    expect(evalRun.some((m) => m.subject !== undefined)).toBe(false);
    expect(evalRun.some((m) => m.channel === 'voice' && m.inReplyTo)).toBe(false);
    // Its old texts ask for DMs on e-mail: changing them would change the eval's stream.
    expect(evalRun.some((m) => m.channel === 'email' && asksForDm(m.text))).toBe(true);
    const h = createHash('sha256');
    for (const e of simulate({ scenario: 'eval', seed: 1, days: 3 }))
      h.update(`${JSON.stringify(e)}\n`);
    expect(h.digest('hex')).toBe(
      '9031ef5e201fbb7bb16ef3fa581c6b9c30ca3902db7f221068f7a98b413d228d',
    );
  });
});
