/**
 * Ground-truth threads of a twcs file: the connected components of the reply links
 * (`in_response_to_tweet_id` and `response_tweet_id`), counting only tweets inside the file —
 * the same definition SOURCES.md uses for the telecom subset's `thread_id` column. It is written
 * independently of the ingest pipeline so tests can compare the pipeline's cases against it.
 */

export interface TwcsLinkRow {
  tweetId: string;
  inResponseToTweetId: string | null;
  responseTweetIds: readonly string[];
}

export interface TwcsThreads {
  /** tweet id → thread id; the thread id is the numerically smallest tweet id of the component. */
  threadOf: Map<string, string>;
  /** thread id → its tweet ids in ascending numeric order. */
  threads: Map<string, string[]>;
}

const byNumericId = (a: string, b: string): number =>
  a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export function computeTwcsThreads(rows: readonly TwcsLinkRow[]): TwcsThreads {
  const parent = new Map<string, string>();
  for (const r of rows) parent.set(r.tweetId, r.tweetId);
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    // Path compression keeps this near-linear on long reply chains.
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur) as string;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    // Links to tweets outside the file (dangling references) do not join anything.
    if (!parent.has(a) || !parent.has(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // Keep the smaller id as root so the thread id is stable and readable.
    if (byNumericId(ra, rb) < 0) parent.set(rb, ra);
    else parent.set(ra, rb);
  };
  for (const r of rows) {
    if (r.inResponseToTweetId !== null) union(r.tweetId, r.inResponseToTweetId);
    for (const child of r.responseTweetIds) union(r.tweetId, child);
  }
  const threadOf = new Map<string, string>();
  const threads = new Map<string, string[]>();
  for (const r of rows) {
    const root = find(r.tweetId);
    threadOf.set(r.tweetId, root);
    const list = threads.get(root);
    if (list) list.push(r.tweetId);
    else threads.set(root, [r.tweetId]);
  }
  for (const list of threads.values()) list.sort(byNumericId);
  return { threadOf, threads };
}
