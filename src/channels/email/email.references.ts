/**
 * How many of a thread's Message-IDs a References header keeps besides the first: a long thread
 * would otherwise grow the header by one id per message for ever. Clients trim the same way
 * (RFC 5322 §3.6.4 allows it; Thunderbird and Gmail keep the root and the newest ids), and the
 * root plus the newest ids are what threading needs: the customer's client finds the thread by
 * any id it knows, and our own threading (email.poll.store.ts) reads the newest first.
 */
export const REFERENCES_KEPT = 10;

/** The root id and the newest `REFERENCES_KEPT`, in order, without repeats. */
export function boundedReferences(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= REFERENCES_KEPT + 1) return unique;
  return [unique[0], ...unique.slice(-REFERENCES_KEPT)];
}

/**
 * A reply's References (RFC 5322 §3.6.4): the parent's References, else its In-Reply-To,
 * followed by the parent's own Message-ID; bounded as above.
 */
export function replyReferences(parentReferences: readonly string[], parentId: string): string[] {
  return boundedReferences([...parentReferences.filter((id) => id !== parentId), parentId]);
}
