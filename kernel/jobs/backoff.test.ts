import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './backoff.ts';

describe('retryDelayMs', () => {
  it('doubles from the base with each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 100))).toEqual([100, 200, 400, 800]);
  });

  it('is capped, also for absurd attempt counts', () => {
    expect(retryDelayMs(40, 1000)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5000, 1000)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5, 1000, 3000)).toBe(3000);
  });

  it('is zero for a zero base (retry at once)', () => {
    expect(retryDelayMs(3, 0)).toBe(0);
  });
});
