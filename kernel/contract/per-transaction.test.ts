import { describe, expect, it } from 'vitest';
import type { Db } from '../db/database.ts';
import { perTransaction } from './per-transaction.ts';

describe('perTransaction', () => {
  it('loads once per transaction handle and workspace, and again for another handle', async () => {
    const loads: string[] = [];
    const read = perTransaction(async (_tx, workspaceId) => {
      loads.push(workspaceId);
      return `rows of ${workspaceId}`;
    });
    const batch = {} as Db;
    const retry = {} as Db;
    expect(await read(batch, 'w1')).toBe('rows of w1');
    expect(await read(batch, 'w1')).toBe('rows of w1');
    await read(batch, 'w2');
    await read(retry, 'w1');
    expect(loads).toEqual(['w1', 'w2', 'w1']);
  });
});
