/**
 * Logs: stored line by line, paginated by line id with no gap or duplicate, filtered by
 * stream; streamed over SSE while the agent runs, resumed mid-run with Last-Event-ID
 * (exactly the lines after it), and ended with a `done` event carrying the final status.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectUntil, connectSse } from '../helpers/sse-client.ts';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(() => bench?.close());

it('pages, streams, resumes mid-run and ends with done', async () => {
  const created = await bench.start('lines=300 long=1');
  await bench.waitFor('the waiting line', async () =>
    (await bench.logs(created.id)).some((line) => line.text === 'waiting for input'),
  );

  // Pages of 50 cover every line once, in id order.
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await bench.call(
      'GET',
      `/api/sessions/${created.id}/logs?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.body.items.length).toBeLessThanOrEqual(50);
    pages.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor);
  const ids = pages.map((line) => line.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
  const stdout = pages.filter((line) => line.stream === 'stdout').map((line) => line.text);
  expect(stdout.filter((text) => text.startsWith('line '))).toEqual(
    Array.from({ length: 300 }, (_, i) => `line ${i}`),
  );
  const stderr = await bench.logs(created.id, 'stderr');
  expect(stderr.map((line) => line.text)).toEqual(['a line on stderr']);

  // Follow from the start; drop the connection after line 150.
  const url = `${bench.url}/api/sessions/${created.id}/logs/stream`;
  const first = await connectSse(url, { ...bench.as(), lastEventId: 0 });
  expect(first.status).toBe(200);
  const seen = await collectUntil(first, (messages) =>
    messages.some((m) => m.event === 'log' && JSON.parse(m.data!).text === 'line 150'),
  );
  first.close();
  const lastId = Number(seen.filter((m) => m.id).at(-1)!.id);

  // Resume mid-run: the rest arrives exactly once, then new output, then done.
  const resumed = await connectSse(url, { ...bench.as(), lastEventId: lastId });
  const live = collectUntil(resumed, (messages) => messages.some((m) => m.event === 'done'), 20_000);
  await bench.waitFor('the replay', async () => true);
  expect((await bench.call('POST', `/api/sessions/${created.id}/input`, { text: 'exit' })).status).toBe(202);
  const rest = await live;
  resumed.close();
  const restIds = rest.filter((m) => m.id).map((m) => Number(m.id));
  expect(restIds[0]).toBe(lastId + 1);
  expect(restIds).toEqual(Array.from({ length: restIds.length }, (_, i) => lastId + 1 + i));
  const texts = rest.filter((m) => m.event === 'log').map((m) => JSON.parse(m.data!).text);
  expect(texts).toContain('line 299');
  expect(texts).toContain('input: exit');
  const done = rest.find((m) => m.event === 'done')!;
  expect(JSON.parse(done.data!)).toMatchObject({ kind: 'done', status: 'completed' });
});

it('answers 404 for a session of another workspace', async () => {
  const stranger = await bench.t.signup('Stranger');
  const created = await bench.start('exit=0');
  const page = await bench.t.call('GET', `/api/sessions/${created.id}/logs`, {
    key: stranger.key,
    workspace: stranger.workspaceId,
  });
  expect(page.status).toBe(404);
});
