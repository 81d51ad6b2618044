import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { DatabaseProbe } from './database-probe.ts';

function fakeDatabase(results: (Error | undefined)[]) {
  const calls = { count: 0 };
  const database = {
    query: async () => {
      const result = results[calls.count++];
      if (result) throw result;
      return [];
    },
  } as unknown as Database;
  return { database, calls };
}

describe('DatabaseProbe', () => {
  it('asks the database once per interval and shares the answer in flight', async () => {
    let clock = 0;
    const { database, calls } = fakeDatabase([undefined, undefined]);
    const probe = new DatabaseProbe(database, 1000, () => clock);
    await Promise.all([probe.check(), probe.check(), probe.check()]);
    expect(calls.count).toBe(1);
    clock = 999;
    await probe.check();
    expect(calls.count).toBe(1);
    clock = 1000;
    await probe.check();
    expect(calls.count).toBe(2);
  });

  it('reports a failure to every waiting caller and tries again on the next call', async () => {
    const { database, calls } = fakeDatabase([new Error('down'), undefined]);
    const probe = new DatabaseProbe(database, 1000, () => 0);
    const results = await Promise.allSettled([probe.check(), probe.check()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await probe.check();
    expect(calls.count).toBe(2);
  });
});
