import { AppError } from '../errors.js';

/** How one kind of key is throttled: `free` attempts, then a wait doubling from `baseMs`. */
interface Rule {
  free: number;
  baseMs: number;
  maxMs: number;
  /** Attempts are forgotten after this long without one. */
  forgetMs: number;
}

interface Entry {
  attempts: number;
  lastAt: number;
  blockedUntil: number;
}

const MINUTE = 60_000;

/**
 * The three keys a login attempt counts under. The account from one address is throttled hard
 * (guessing one password); the account from anywhere only up to a minute's wait, because a
 * stricter account-wide lockout would let anyone lock the real user out for good; the address
 * across accounts (password spraying) in between. The address is the connection's: behind a
 * reverse proxy every caller shares the proxy's, which is why its rule is the loosest.
 */
const RULES = {
  pair: { free: 5, baseMs: 1_000, maxMs: 15 * MINUTE, forgetMs: 60 * MINUTE },
  account: { free: 10, baseMs: 1_000, maxMs: MINUTE, forgetMs: 60 * MINUTE },
  address: { free: 30, baseMs: 1_000, maxMs: 5 * MINUTE, forgetMs: 60 * MINUTE },
} satisfies Record<string, Rule>;

/** The wait after the `attempts`-th attempt (from the `free`-th on). */
const backoff = (r: Rule, attempts: number) =>
  Math.min(r.maxMs, r.baseMs * 2 ** Math.min(30, attempts - r.free));

/** Keys kept per rule; past this the longest-idle are dropped (memory stays bounded under a flood). */
const MAX_KEYS = 50_000;

/**
 * Login throttling with back-off, in memory on this node: each node of a cluster counts the
 * attempts it sees (an attacker spreading over n nodes gets n times the attempts; the hashing gate
 * still bounds each node's work). An attempt is counted when it starts, not when it fails, so a
 * burst of concurrent attempts cannot all slip in before the first failure is recorded; a
 * successful login forgives its account's attempts.
 */
export class LoginThrottle {
  private readonly tables = {
    pair: new Map<string, Entry>(),
    account: new Map<string, Entry>(),
    address: new Map<string, Entry>(),
  };

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Counts an attempt for `email` from `address`, or refuses it with a 429 saying when to come
   * back (`details.retryAfterSeconds`, sent as Retry-After).
   */
  attempt(email: string, address: string): void {
    const now = this.clock();
    const keys = this.keys(email, address);
    let wait = 0;
    for (const [rule, key] of keys) {
      const e = this.entry(rule, key, now);
      if (e && e.blockedUntil > now) wait = Math.max(wait, e.blockedUntil - now);
    }
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      throw new AppError(
        'rate_limited',
        `too many sign-in attempts; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
    for (const [rule, key] of keys) {
      const r: Rule = RULES[rule];
      const e = this.entry(rule, key, now) ?? { attempts: 0, lastAt: now, blockedUntil: 0 };
      e.attempts++;
      e.lastAt = now;
      if (e.attempts >= r.free) {
        e.blockedUntil = now + backoff(r, e.attempts);
      }
      this.put(rule, key, e);
    }
  }

  /**
   * The password was wrong: the wait runs from now, not from when the attempt started (a hash
   * takes seconds, and a wait of one would have passed before the answer was known).
   */
  failed(email: string, address: string): void {
    const now = this.clock();
    for (const [rule, key] of this.keys(email, address)) {
      const r: Rule = RULES[rule];
      const e = this.tables[rule].get(key);
      if (e && e.attempts >= r.free) {
        e.blockedUntil = Math.max(e.blockedUntil, now + backoff(r, e.attempts));
      }
    }
  }

  /** The password was right: the account's attempts are forgiven, and this one for the address. */
  succeeded(email: string, address: string): void {
    const [pair, account, addr] = this.keys(email, address);
    this.tables.pair.delete(pair[1]);
    this.tables.account.delete(account[1]);
    const e = this.tables.address.get(addr[1]);
    if (e) {
      e.attempts = Math.max(0, e.attempts - 1);
      if (e.attempts < RULES.address.free) e.blockedUntil = 0;
    }
  }

  private keys(email: string, address: string) {
    const account = email.trim().toLowerCase();
    return [
      ['pair', `${account}\n${address}`],
      ['account', account],
      ['address', address],
    ] as const;
  }

  private entry(rule: keyof typeof RULES, key: string, now: number): Entry | undefined {
    const e = this.tables[rule].get(key);
    if (e && now - e.lastAt > RULES[rule].forgetMs && e.blockedUntil <= now) {
      this.tables[rule].delete(key);
      return undefined;
    }
    return e;
  }

  private put(rule: keyof typeof RULES, key: string, e: Entry): void {
    const table = this.tables[rule];
    table.delete(key); // re-inserted at the back: the Map's order is least recently attempted first
    table.set(key, e);
    if (table.size > MAX_KEYS) {
      const oldest = table.keys().next();
      if (!oldest.done) table.delete(oldest.value);
    }
  }
}
