/**
 * Pause archives the working directory into the blob store and stops the process;
 * resume restores it into a fresh directory and restarts the agent in resume mode. The
 * restored directory is byte for byte the paused one (every file's SHA-256 and mode).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(() => bench?.close());

function tree(root: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (skip.includes(name)) continue;
      if (entry.isDirectory()) walk(path);
      else {
        const mode = (statSync(path).mode & 0o777).toString(8);
        out[name] = `${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      }
    }
  };
  walk(root);
  return out;
}

const cwdOf = async (id: string, nth: number) => {
  const lines = await bench.waitFor(`env line ${nth}`, async () => {
    const found = (await bench.logs(id)).filter((line) => line.text.startsWith('env:'));
    return found.length > nth ? found : undefined;
  });
  return lines[nth].text.split('cwd=')[1] as string;
};

it('keeps the working directory byte for byte across pause and resume', async () => {
  const created = await bench.start('files=5 long=1');
  await bench.waitStatus(created.id, ['running']);
  await bench.waitFor('the files', async () =>
    (await bench.logs(created.id)).some((line) => line.text === 'files: wrote 5'),
  );
  const firstDir = await cwdOf(created.id, 0);
  const before = tree(firstDir);
  expect(Object.keys(before)).toHaveLength(6);

  expect((await bench.call('POST', `/api/sessions/${created.id}/pause`)).status).toBe(202);
  const paused = await bench.waitStatus(created.id, ['paused']);
  expect(paused.has_snapshot).toBe(true);

  const resumed = await bench.call('POST', `/api/sessions/${created.id}/resume`, { input: 'files=0 long=1' });
  expect(resumed.status).toBe(200);
  await bench.waitStatus(created.id, ['running']);
  const secondDir = await cwdOf(created.id, 1);
  expect(secondDir).not.toBe(firstDir);
  await bench.waitFor('the resumed marker', async () => {
    try {
      return readFileSync(join(secondDir, 'resumed.txt'), 'utf8') === 'resumed\n';
    } catch {
      return false;
    }
  });
  expect(tree(secondDir, ['resumed.txt'])).toEqual(before);
  const envLine = (await bench.logs(created.id)).filter((line) => line.text.startsWith('env:'))[1].text;
  expect(envLine).toContain('resume=1');

  const types = (await bench.eventsOf(created.id)).map((event) => event.type);
  expect(types).toEqual([
    'session.created',
    'session.queued',
    'session.starting',
    'session.started',
    'session.pause_requested',
    'session.paused',
    'session.queued',
    'session.starting',
    'session.resumed',
  ]);
  await bench.call('POST', `/api/sessions/${created.id}/stop`);
});

it('refuses to resume a session that is not paused', async () => {
  const created = await bench.start('exit=0');
  await bench.waitStatus(created.id, ['completed']);
  const resumed = await bench.call('POST', `/api/sessions/${created.id}/resume`, {});
  expect(resumed.status).toBe(409);
});
