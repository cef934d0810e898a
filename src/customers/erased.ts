/**
 * The one refusal of new data about an erased person (GDPR art. 17). An erased customer record
 * and its cases keep de-identified rows (ids, times, topics, ratings) so reports stay right;
 * anything written to them again — a merge, an identity, an edit, a reply, a note, a promise, a
 * survey and its answer — would tie a person to those rows again or send to the "[erased]"
 * placeholder. Every path refuses with this same 422 (`invalid_transition`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';

export const erasedRefusal = () =>
  new AppError('invalid_transition', 'this customer was erased; it cannot take new data');

/** Refuses when the row (a customer, or a case) is erased. */
export function refuseErased(c: { erased_at?: number | null }) {
  if (c.erased_at != null) throw erasedRefusal();
}

/**
 * Whether a case is erased, or belongs to an erased customer: retention erases a case before its
 * customer, an erasure of the customer marks every case of theirs, so either mark refuses.
 */
export async function isErasedCase(
  db: Kysely<DB>,
  c: { erased_at?: number | null; customer_id: string },
): Promise<boolean> {
  if (c.erased_at != null) return true;
  const customer = await db
    .selectFrom('customers')
    .select('erased_at')
    .where('id', '=', c.customer_id)
    .executeTakeFirst();
  return customer?.erased_at != null;
}

/** Refuses new data on an erased case (or a case of an erased customer): `erasedRefusal`. */
export async function refuseErasedCase(
  db: Kysely<DB>,
  c: { erased_at?: number | null; customer_id: string },
): Promise<void> {
  if (await isErasedCase(db, c)) throw erasedRefusal();
}
