/**
 * Keyset pagination cursors: the sort key values of the last item on a page, as
 * base64url JSON. Opaque to clients; a tampered cursor is a 400, never a 500.
 */
import { validationError } from './errors.ts';
import { isStorableTime, isUuid } from './values.ts';

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return values;
    }
  } catch {
    // fall through to the validation error
  }
  throw malformedCursor();
}

const malformedCursor = () =>
  validationError('Invalid cursor: pass next_cursor from the previous page unchanged', [
    { path: 'cursor', message: 'malformed' },
  ]);

/**
 * The most common keyset: newest first by a time, ties broken by a uuid id. Encode
 * with `[row.at.toISOString(), row.id]`; a cursor whose time is not storable or whose
 * id is not a uuid is the client's fault (400) rather than a database error.
 */
export function decodeTimeIdCursor(cursor: string): { at: Date; id: string } {
  const [time, id] = decodeCursor(cursor, 2).map(String) as [string, string];
  const at = new Date(time);
  if (!isStorableTime(at.getTime()) || !isUuid(id)) throw malformedCursor();
  return { at, id };
}

/** Splits a fetched `limit + 1` rows into the page and the cursor for the next one. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => (string | number)[],
): { items: Item[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
