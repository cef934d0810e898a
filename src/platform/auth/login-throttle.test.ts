import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors.js';
import { HashGate } from './hash-gate.js';
import { LoginThrottle } from './login-throttle.js';

const refusal = (f: () => void): AppError | null => {
  try {
    f();
    return null;
  } catch (err) {
    return err as AppError;
  }
};

describe('login throttle', () => {
  it('lets 5 attempts through, then makes each wait twice as long', () => {
    let now = 1_000_000;
    const th = new LoginThrottle(() => now);
    for (let i = 0; i < 5; i++)
      expect(refusal(() => th.attempt('A@x.test', '10.0.0.1'))).toBeNull();
    // The fifth attempt set a 1 s wait; the same account from the same address is refused …
    const e = refusal(() => th.attempt('a@x.test', '10.0.0.1'));
    expect(e?.code).toBe('rate_limited');
    expect(e?.details).toEqual({ retryAfterSeconds: 1 });
    // … refused attempts do not count, and once the wait is over the next one doubles it.
    now += 1_000;
    expect(refusal(() => th.attempt('a@x.test', '10.0.0.1'))).toBeNull();
    expect(refusal(() => th.attempt('a@x.test', '10.0.0.1'))?.details).toEqual({
      retryAfterSeconds: 2,
    });
    // Another address may still try that account (its account-wide limit is looser) …
    expect(refusal(() => th.attempt('a@x.test', '10.0.0.2'))).toBeNull();
    // A right password forgives the account from where it was typed, not the guesser's address.
    th.succeeded('a@x.test', '10.0.0.2');
    expect(refusal(() => th.attempt('a@x.test', '10.0.0.1'))?.code).toBe('rate_limited');
    now += 2_000;
    expect(refusal(() => th.attempt('a@x.test', '10.0.0.1'))).toBeNull();
  });

  it('caps the account-wide wait at a minute, so no one can lock a user out for long', () => {
    let now = 0;
    const th = new LoginThrottle(() => now);
    let worst = 0;
    for (let i = 0; i < 40; i++) {
      const e = refusal(() => th.attempt('victim@x.test', `10.1.0.${i}`));
      const s = (e?.details as { retryAfterSeconds: number } | undefined)?.retryAfterSeconds ?? 0;
      worst = Math.max(worst, s);
      now += s * 1000;
    }
    expect(worst).toBe(60);
  });

  it('throttles one address spraying many accounts', () => {
    const th = new LoginThrottle(() => 0);
    const results = Array.from({ length: 31 }, (_, i) =>
      refusal(() => th.attempt(`user${i}@x.test`, '10.9.9.9')),
    );
    expect(results.slice(0, 30).every((r) => r === null)).toBe(true);
    expect(results[30]?.code).toBe('rate_limited');
  });
});

describe('hashing gate', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  };

  it('runs at most its slots at once and gives a free slot to a caller without a turn first', async () => {
    const gate = new HashGate(2, 64);
    const order: string[] = [];
    const works: Array<{ resolve: () => void }> = [];
    const job = (key: string, name: string) =>
      gate.run(key, async () => {
        order.push(name);
        const d = deferred();
        works.push(d);
        await d.promise;
      });
    // A flood from one address, then one real sign-in from another.
    const flood = Array.from({ length: 8 }, (_, i) => job('attacker', `a${i}`));
    const real = job('someone', 'real');
    await Promise.resolve();
    expect(gate.load()).toEqual({ running: 2, waiting: 7 });
    // Finish whatever runs, one at a time, and see who starts next.
    while (order.length < 9) {
      const w = works.shift();
      w?.resolve();
      await new Promise((r) => setImmediate(r));
    }
    for (const w of works) w.resolve();
    await Promise.all([...flood, real]);
    // FIFO would have run it ninth; a caller without a turn yet gets the first free slot.
    expect(order.indexOf('real')).toBe(2);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('lets waiting callers take turns', async () => {
    const gate = new HashGate(1, 64);
    const order: string[] = [];
    const gates: Array<{ resolve: () => void }> = [];
    const job = (key: string, name: string) =>
      gate.run(key, async () => {
        order.push(name);
        const d = deferred();
        gates.push(d);
        await d.promise;
      });
    const all = [job('a', 'a0'), job('a', 'a1'), job('a', 'a2'), job('b', 'b0'), job('b', 'b1')];
    while (order.length < 5) {
      gates.shift()?.resolve();
      await new Promise((r) => setImmediate(r));
    }
    gates.shift()?.resolve();
    await Promise.all(all);
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2']);
  });

  it('turns callers away once too many wait', async () => {
    const gate = new HashGate(1, 2);
    const d = deferred();
    const running = gate.run('a', () => d.promise);
    const waiting = [gate.run('a', async () => {}), gate.run('b', async () => {})];
    await expect(gate.run('c', async () => {})).rejects.toMatchObject({ code: 'rate_limited' });
    d.resolve();
    await Promise.all([running, ...waiting]);
  });
});
