import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../events/subscriptions/deliver-next.ts';
import { consumerOf } from './event-log.ts';

const handler = async () => {};

describe('consumerOf', () => {
  it('namespaces the consumer by the extension and applies defaults', () => {
    const consumer = consumerOf('digest', { consumer: 'daily', types: ['a.b', 'a.b', 'c.d'], handler });
    expect(consumer).toMatchObject({
      key: 'digest:daily',
      extensionId: 'digest',
      types: ['a.b', 'c.d'],
      maxAttempts: 5,
      backoff: { initialMs: 1000, maxMs: 300_000 },
    });
  });

  it('refuses names that cannot key a stored cursor, missing types and bad attempt counts', () => {
    expect(() => consumerOf('digest', { consumer: 'Daily Digest', types: ['a.b'], handler })).toThrow(
      /consumer names match/,
    );
    expect(() => consumerOf('digest', { consumer: 'daily', types: [], handler })).toThrow(
      /without event types/,
    );
    expect(() =>
      consumerOf('digest', { consumer: 'daily', types: ['a.b'], handler, maxAttempts: 0 }),
    ).toThrow(/maxAttempts 0/);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const backoff = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(backoff, attempt))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});
