import { badRequest } from '../errors.js';

/**
 * A comma-separated list filter checked against the values it can take. An unknown value is a
 * 400 naming it: an empty list would look like "nothing matches" when the query is the mistake
 * (`status=OPEN`, a misspelt channel).
 */
export function listFilter<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const list = raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list?.length) return undefined;
  const unknown = list.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length)
    throw badRequest(
      `unknown ${name} ${unknown.join(', ')}; ${name} is one of ${allowed.join(', ')}`,
    );
  return list as T[];
}
