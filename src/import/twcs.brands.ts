/**
 * Who speaks for a brand in a twcs file.
 *
 * Brand accounts are the authors of `inbound=False` rows (named handles such as `sprintcare`).
 * The corpus also contains brand agents whose accounts were anonymised to numbers and marked
 * `inbound=True` (SOURCES.md: author 115722 signs `^JAY` and replies for Verizon). We detect them
 * with a conservative, documented heuristic, per tweet:
 *
 *   1. the tweet ends with an agent signature: `^` + 2–4 capital letters (the convention of
 *      VerizonSupport, XboxSupport, …) or a whitespace-preceded `-XX` / `- XX` with 2–3 capitals
 *      (sprintcare's `-KC`), optionally followed by links;
 *   2. it replies to a tweet in the file written by someone else who is not a brand account (an
 *      agent answers a customer; a customer answering an agent would reply to the brand);
 *   3. its thread involves a brand: some tweet of the same thread is by a brand account.
 *
 * An author with at least one such tweet is an anonymised brand account, and all of their tweets
 * are treated as the brand's (115722 also posts Fios marketing). On the 5,000-row sample this
 * finds 8 signed replies by 4 authors (115722 for Verizon with 5, 115793 for a UK rail operator,
 * 117042 beside XboxSupport, 117248 a supermarket in the mince-pie thread), 9 tweets in all once
 * extended to the authors; the one other signed-looking inbound tweet ("… BOM-LHR", a route code)
 * is rejected by rule 2. In the telecom subset it finds 115722 only (5 signed replies).
 */
import type { TwcsThreads } from './twcs.threads.js';

export interface TwcsBrandRow {
  tweetId: string;
  authorId: string;
  inbound: boolean;
  text: string;
  inResponseToTweetId: string | null;
}

/** Authors of `inbound=False` rows: the brands' own support accounts. */
export function twcsBrandAccounts(
  rows: readonly Pick<TwcsBrandRow, 'authorId' | 'inbound'>[],
): Set<string> {
  const brands = new Set<string>();
  for (const r of rows) if (!r.inbound) brands.add(r.authorId);
  return brands;
}

const SIGNATURE_RE = /(?:\^[A-Z]{2,4}|\s[-–—]\s?[A-Z]{2,3})(?:\s+https?:\/\/\S+)*\s*$/;

/** True when the text ends with an agent signature such as `^JAY` or `-KC` (rule 1 above). */
export function hasAgentSignature(text: string): boolean {
  return SIGNATURE_RE.test(text);
}

export interface AnonymisedAgents {
  /** Numeric author ids judged to be brand agents. */
  authors: Set<string>;
  /** The signed replies that qualified them (rules 1–3). */
  evidenceTweetIds: Set<string>;
}

export function detectAnonymisedAgents(
  rows: readonly TwcsBrandRow[],
  threads: TwcsThreads,
  brands: ReadonlySet<string> = twcsBrandAccounts(rows),
): AnonymisedAgents {
  const byId = new Map(rows.map((r) => [r.tweetId, r]));
  const threadsWithBrand = new Set<string>();
  for (const r of rows) {
    if (brands.has(r.authorId)) threadsWithBrand.add(threads.threadOf.get(r.tweetId) as string);
  }
  const authors = new Set<string>();
  const evidenceTweetIds = new Set<string>();
  for (const r of rows) {
    if (!r.inbound || brands.has(r.authorId) || r.inResponseToTweetId === null) continue;
    if (!hasAgentSignature(r.text)) continue;
    const parent = byId.get(r.inResponseToTweetId);
    if (!parent || parent.authorId === r.authorId || brands.has(parent.authorId)) continue;
    if (!threadsWithBrand.has(threads.threadOf.get(r.tweetId) as string)) continue;
    authors.add(r.authorId);
    evidenceTweetIds.add(r.tweetId);
  }
  return { authors, evidenceTweetIds };
}
