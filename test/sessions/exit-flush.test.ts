/**
 * Every line an agent prints before it exits is stored, however quickly it exits after
 * printing (the process's exit can be seen before the last of its output is read).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(async () => {
  await bench?.close();
});

it('stores all lines of an agent that prints many and exits at once', async () => {
  const session = await bench.start('lines=3000');
  await bench.waitStatus(session.id, ['completed'], 60_000);
  const stored = (await bench.logs(session.id, 'stdout')).filter((line) => /^line \d+$/.test(line.text));
  expect(stored).toHaveLength(3000);
  expect(stored.at(-1).text).toBe('line 2999');
});
