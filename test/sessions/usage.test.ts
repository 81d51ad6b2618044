/**
 * Usage buckets add up: the sums per hour, day and month, grouped by agent or by model,
 * equal the sum of the sessions' own usage, and a range that excludes them is empty.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(() => bench?.close());

it('sums to the sessions usage in every bucket size and grouping', async () => {
  const second = await bench.createAgent('Second agent');
  const runs = [
    (await bench.start('results=2 cost=0.125')).id,
    (await bench.start('results=3 cost=0.01')).id,
    (await bench.call('POST', '/api/sessions', { agent_id: second, prompt: 'results=1 cost=0.5' })).body.id,
  ];
  const sessions = await Promise.all(runs.map((id) => bench.waitStatus(id, ['completed'])));
  const expected = {
    input_tokens: sessions.reduce((sum, s) => sum + s.usage.input_tokens, 0),
    output_tokens: sessions.reduce((sum, s) => sum + s.usage.output_tokens, 0),
    cache_read_tokens: sessions.reduce((sum, s) => sum + s.usage.cache_read_tokens, 0),
    cache_creation_tokens: sessions.reduce((sum, s) => sum + s.usage.cache_creation_tokens, 0),
    cost_usd: sessions.reduce((sum, s) => sum + s.usage.cost_usd, 0),
  };
  expect(expected.cost_usd).toBeCloseTo(0.25 + 0.03 + 0.5, 6);
  for (const bucket of ['hour', 'day', 'month']) {
    for (const groupBy of ['agent', 'model']) {
      const usage = await bench.call('GET', `/api/sessions/usage?bucket=${bucket}&group_by=${groupBy}`);
      expect(usage.status).toBe(200);
      expect(usage.body.totals.input_tokens).toBe(expected.input_tokens);
      expect(usage.body.totals.output_tokens).toBe(expected.output_tokens);
      expect(usage.body.totals.cache_read_tokens).toBe(expected.cache_read_tokens);
      expect(usage.body.totals.cache_creation_tokens).toBe(expected.cache_creation_tokens);
      expect(usage.body.totals.cost_usd).toBeCloseTo(expected.cost_usd, 6);
      for (const item of usage.body.items) {
        expect(new Date(item.bucket_start).toISOString()).toBe(item.bucket_start.replace('Z', '.000Z'));
      }
      if (groupBy === 'agent') {
        const ofSecond = usage.body.items.filter((item: any) => item.key === second);
        expect(ofSecond.reduce((sum: number, item: any) => sum + item.cost_usd, 0)).toBeCloseTo(0.5, 6);
      } else {
        expect(usage.body.items.every((item: any) => item.key === 'fake-model-1')).toBe(true);
      }
    }
  }
  const past = await bench.call(
    'GET',
    '/api/sessions/usage?from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z',
  );
  expect(past.body.items).toEqual([]);
  const bad = await bench.call(
    'GET',
    '/api/sessions/usage?from=2001-01-01T00:00:00Z&to=2000-02-01T00:00:00Z',
  );
  expect(bad.status).toBe(400);
});
