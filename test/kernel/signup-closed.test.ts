/** MASKIN_SIGNUP=closed: public signup is refused, and nothing is created. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: { MASKIN_SIGNUP: 'closed' } });
});
afterAll(() => t?.close());

describe('closed signup', () => {
  it('answers 403 FORBIDDEN and creates no actor', async () => {
    const result = await t.call('POST', '/api/actors/signup', {
      body: { name: 'Late', email: 'late@example.com' },
    });
    expect(result.status).toBe(403);
    expect(result.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/closed/) });
    const [row] = await t.testDatabase.database.query<{ n: string }>('select count(*) as n from actors');
    expect(Number(row!.n)).toBe(0);
  });
});
