import { describe, expect, it } from 'vitest';
import { decodeCursor, estimatedJsonBytes, toPage } from './pagination.ts';

describe('toPage', () => {
  const rows = Array.from({ length: 11 }, (_, i) => ({ id: i, text: 'x'.repeat(1_000) }));
  const page = (limit: number, maxBytes?: number) =>
    toPage(
      rows,
      limit,
      (row) => row,
      (row) => [row.id],
      maxBytes,
    );

  it('cuts by count, with a cursor after the last item', () => {
    const first = page(10);
    expect(first.items).toHaveLength(10);
    expect(decodeCursor(first.next_cursor!, 1)).toEqual([9]);
    expect(page(20).next_cursor).toBeNull();
  });

  it('cuts by size too (issue 10, finding 3), keeping at least one item', () => {
    const bounded = page(10, 3_500);
    expect(bounded.items).toHaveLength(3);
    expect(decodeCursor(bounded.next_cursor!, 1)).toEqual([2]);
    const one = page(10, 10);
    expect(one.items).toHaveLength(1);
    expect(one.next_cursor).not.toBeNull();
  });

  it('estimates JSON size from above without serialising', () => {
    const value = { a: 'x'.repeat(500), b: [1, 2, { c: 'yy' }] };
    expect(estimatedJsonBytes(value)).toBeGreaterThanOrEqual(JSON.stringify(value).length);
  });
});
