/**
 * The integers a column can hold, for the schemas of what is written to one: what the API answers
 * 2xx to, the database must store. PostgreSQL refused a larger number with a 500 ("out of range
 * for type integer", "invalid input syntax for type bigint: 1e+300"); SQLite stored it as REAL.
 */

/** PostgreSQL `integer` (int4). */
export const INT4 = { minimum: -2_147_483_648, maximum: 2_147_483_647 } as const;

/**
 * PostgreSQL `bigint` holds up to 2^63-1, but a JSON number past 2^53 is no longer exact in
 * JavaScript, so this is the largest the API takes for one.
 */
export const BIGINT_MAX = Number.MAX_SAFE_INTEGER;
