import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, retryConflicts } from './db-errors.js';

const pgError = (code: string) => Object.assign(new Error(code), { code });

describe('database errors', () => {
  it('reruns a transaction aborted by a deadlock or serialization failure, a bounded number of times', async () => {
    let runs = 0;
    const answer = await retryConflicts(async () => {
      runs++;
      if (runs < 3) throw pgError(runs === 1 ? '40P01' : '40001');
      return 'done';
    });
    expect([answer, runs]).toEqual(['done', 3]);
    runs = 0;
    await expect(
      retryConflicts(
        async () => {
          runs++;
          throw pgError('40P01');
        },
        { attempts: 4, baseDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(runs).toBe(4);
    runs = 0;
    await expect(
      retryConflicts(async () => {
        runs++;
        throw pgError('23505');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });

  it('knows an unreachable database from a bug', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET'])
      expect(isDatabaseUnavailable(pgError(code))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([pgError('ECONNREFUSED')]))).toBe(true);
    expect(isDatabaseUnavailable(pgError('23505'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
