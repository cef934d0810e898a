import { AppError } from '../errors.js';

/**
 * A fair gate in front of password hashing. scrypt at N=2^17 takes about a second of a libuv
 * thread per call, and the pool (4 threads by default) is shared with file system, DNS and other
 * crypto work: forty bogus logins at once used to hold every thread for a minute and a half,
 * delaying a real login and everything else queued there. At most `slots` hashes run at a time;
 * waiters queue per key (the caller's address) and the keys take turns, so one flood waits behind
 * itself rather than in front of everyone; past `maxWaiting` a caller is turned away at once.
 */
export class HashGate {
  private running = 0;
  private waiting = 0;
  /** Waiters by key; a Map keeps the keys in turn order (served from the front, moved to the back). */
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(
    readonly slots: number,
    readonly maxWaiting: number,
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Hashes running and waiting now (for tests and status). */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  private acquire(key: string): Promise<void> {
    if (this.running < this.slots && this.waiting === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting >= this.maxWaiting) {
      return Promise.reject(
        new AppError('rate_limited', 'too many sign-ins in progress; try again shortly', {
          retryAfterSeconds: 5,
        }),
      );
    }
    return new Promise((resolve) => {
      const queue = this.queues.get(key);
      if (queue) queue.push(resolve);
      else this.queues.set(key, [resolve]);
      this.waiting++;
    });
  }

  private release(): void {
    const next = this.queues.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [key, queue] = next.value;
    const resolve = queue.shift() as () => void;
    // This key has had its turn: to the back of the line, or out when it has no one left.
    this.queues.delete(key);
    if (queue.length) this.queues.set(key, queue);
    this.waiting--;
    resolve(); // the slot passes straight to the next waiter
  }
}
