import { AppError } from '../errors.js';

/**
 * A fair gate in front of password hashing. scrypt at N=2^17 takes about a second of a libuv
 * thread per call, and the pool (4 threads by default) is shared with file system, DNS and other
 * crypto work: forty bogus logins at once used to hold every thread for a minute and a half,
 * delaying a real login and everything else queued there. At most `slots` hashes run at a time;
 * waiters queue per key (the caller's address), and a freed slot goes to the waiting key whose
 * last turn is the oldest — a caller who has had none goes first — so a flood waits behind
 * itself rather than in front of everyone. Past `maxWaiting` a caller is turned away at once.
 */
export class HashGate {
  private running = 0;
  private waiting = 0;
  /** Waiters by key, in arrival order of the keys. */
  private readonly queues = new Map<string, Array<() => void>>();
  /** When each key last got a slot (a sequence number), while it has hashes running or waiting. */
  private readonly lastTurn = new Map<string, number>();
  /** Hashes running per key, to forget a key's turn once it has nothing left in the gate. */
  private readonly runningBy = new Map<string, number>();
  private turns = 0;

  constructor(
    readonly slots: number,
    readonly maxWaiting: number,
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await work();
    } finally {
      this.release(key);
    }
  }

  /** Hashes running and waiting now (for tests and status). */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  private acquire(key: string): Promise<void> {
    if (this.running < this.slots && this.waiting === 0) {
      this.grant(key);
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

  private grant(key: string): void {
    this.running++;
    this.runningBy.set(key, (this.runningBy.get(key) ?? 0) + 1);
    this.lastTurn.set(key, ++this.turns);
  }

  private release(key: string): void {
    this.running--;
    const left = (this.runningBy.get(key) ?? 1) - 1;
    if (left > 0) this.runningBy.set(key, left);
    else {
      this.runningBy.delete(key);
      if (!this.queues.has(key)) this.lastTurn.delete(key);
    }
    // The waiting key whose last turn is oldest (never: 0); the first to arrive among equals.
    let next: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const k of this.queues.keys()) {
      const turn = this.lastTurn.get(k) ?? 0;
      if (turn < oldest) {
        oldest = turn;
        next = k;
      }
    }
    if (next === undefined) return;
    const queue = this.queues.get(next) as Array<() => void>;
    const resolve = queue.shift() as () => void;
    if (!queue.length) this.queues.delete(next);
    this.waiting--;
    this.grant(next);
    resolve();
  }
}
