/** The process runtime hands over every line, even to a listener attached late. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { processRuntime } from './process.ts';

const FAKE_AGENT = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test',
  'sessions',
  'fixtures',
  'fake-agent.mjs',
);

it('keeps the output printed before the runner attached its listener', async () => {
  const agent = await processRuntime.start({
    sessionId: 'early-output',
    argv: [process.execPath, FAKE_AGENT],
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', MASKIN_PROMPT: 'lines=500' },
  });
  // the agent printed everything and exited before anyone listened
  expect(await agent.exited).toEqual({ code: 0, signal: null });
  const lines: string[] = [];
  agent.onLine((stream, text) => {
    if (stream === 'stdout' && text.startsWith('line ')) lines.push(text);
  });
  expect(lines).toHaveLength(500);
  expect(lines.at(-1)).toBe('line 499');
});
