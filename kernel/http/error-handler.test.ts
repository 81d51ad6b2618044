import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toApiError, zodIssuesToDetails } from './error-handler.ts';

describe('zodIssuesToDetails', () => {
  const item = z.object({ title: z.string() });
  const oneOrMany = z.union([item, z.array(item)]);

  it('names the failing field inside the union branch that matched the input', () => {
    const many = oneOrMany.safeParse([{ title: 'a' }, { title: 3 }]);
    expect(zodIssuesToDetails(many.error!)).toEqual([{ path: '1.title', message: expect.any(String) }]);
    const one = oneOrMany.safeParse({ title: 3 });
    expect(zodIssuesToDetails(one.error!)).toEqual([{ path: 'title', message: expect.any(String) }]);
  });

  it('keeps the union issue when no branch matched the shape', () => {
    const neither = oneOrMany.safeParse('text');
    expect(zodIssuesToDetails(neither.error!)).toEqual([{ path: '', message: expect.any(String) }]);
  });
});

describe('toApiError', () => {
  it('turns constraint violations into client errors, never 500', () => {
    expect(toApiError(Object.assign(new Error('dup'), { code: '23505' })).status).toBe(409);
    expect(toApiError(Object.assign(new Error('check'), { code: '23514' })).status).toBe(400);
    // NUL in text (22021) or in a jsonb string (22P05): the client's bytes, not our bug.
    expect(toApiError(Object.assign(new Error('nul'), { code: '22021' })).status).toBe(400);
    expect(toApiError(Object.assign(new Error('nul'), { code: '22P05' })).status).toBe(400);
    // A value too large to index (54000): oversized input, e.g. a 3 kB path segment.
    expect(toApiError(Object.assign(new Error('big'), { code: '54000' })).status).toBe(400);
    expect(toApiError(new Error('boom')).toEnvelope()).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error' },
    });
  });

  it('answers 503 with Retry-After when the database cannot be reached, whatever the driver', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('Failed query: select 1'), { cause: refused });
    for (const error of [
      refused,
      wrapped,
      Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' }),
      Object.assign(new Error('admin shutdown'), { code: '57P01' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
    ]) {
      const apiError = toApiError(error);
      expect(apiError.status).toBe(503);
      expect(apiError.code).toBe('UNAVAILABLE');
      expect(apiError.headers?.['Retry-After']).toMatch(/^\d+$/);
    }
  });
});
