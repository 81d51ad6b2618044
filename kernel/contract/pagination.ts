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

/**
 * A page stops early, with a next_cursor, once its items add up to about this many
 * bytes of JSON (issue 10, finding 3): 200 objects of 200 kB each would otherwise be a
 * 40 MB response. Bounded by size as well as count; a page always holds at least one item.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/** A cheap upper-bound estimate of an item's JSON size (strings by length; no serialising). */
export function estimatedJsonBytes(value: unknown, budget = Number.POSITIVE_INFINITY): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= budget) {
    const current = stack.pop();
    if (typeof current === 'string') total += current.length * 1.1 + 2;
    else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        total += key.length + 4;
        stack.push(child);
      }
    } else total += 8;
  }
  return total;
}

/**
 * Splits a fetched `limit + 1` rows into the page and the cursor for the next one. The
 * page is cut short (with a cursor) where its items pass `maxBytes` of JSON.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => (string | number)[],
  maxBytes = MAX_PAGE_BYTES,
): { items: Item[]; next_cursor: string | null } {
  const items: Item[] = [];
  let bytes = 0;
  let cut = false;
  for (const row of rows.slice(0, limit)) {
    const item = toItem(row);
    bytes += estimatedJsonBytes(item, maxBytes);
    if (items.length > 0 && bytes > maxBytes) {
      cut = true;
      break;
    }
    items.push(item);
  }
  const last = rows[items.length - 1];
  const more = cut || rows.length > limit;
  return {
    items,
    next_cursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
