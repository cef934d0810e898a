import { Type } from '@sinclair/typebox';
import { badRequest } from '../errors.js';

/**
 * The paging every id-keyed list of the API shares (audit log, problems, a problem's
 * notifications, teams): `?limit=` 1–200 (50 when left out), `?cursor=` the id of the previous
 * page's last item (UUIDv7, so id order is time order), an empty cursor the first page (clients
 * write `nextCursor ?? ''`), a malformed one a 400, and `{ items, nextCursor }` back with
 * `nextCursor` null on the last page. Kept here so new lists page as the old ones do.
 */
export const PAGE_LIMIT_DEFAULT = 50;

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: PAGE_LIMIT_DEFAULT })),
  cursor: Type.Optional(
    Type.String({ maxLength: 64, description: "the previous page's nextCursor" }),
  ),
});

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor as an id (lower case, as stored), undefined for the first page; 400 if malformed. */
export function idCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!ID_RE.test(cursor)) throw badRequest('cursor is not valid');
  return cursor.toLowerCase();
}

/** Rows read with `limit + 1`: the page, and the cursor to the next one if that extra row came. */
export function idPage<T extends { id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit && page.length > 0 ? page[page.length - 1].id : null;
  return { page, nextCursor };
}
