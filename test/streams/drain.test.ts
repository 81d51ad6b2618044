/**
 * beforeDrain ends extension streams with a retry hint (a "Done when" item of the
 * capability kernel): kernel.beforeShutdown(), as SIGTERM runs it, ends every open
 * extension stream with `retry:` and new stream requests get 503 UNAVAILABLE, while
 * ordinary requests still work until the server closes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectToEnd, collectUntil, type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { appendLine, isLive, lineIds, openLog, startStreamKernel, type User } from './stream-demo.ts';

let t: TestKernel;
let server: ServedKernel;
let ada: User;

beforeAll(async () => {
  t = await startStreamKernel();
  server = await serveKernel(t.kernel);
  ada = await t.signup('Ada');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

it('ends open extension streams with a retry hint and refuses new ones with 503', async () => {
  const first = await openLog(server.url, ada, 'drain');
  const second = await openLog(server.url, ada, 'other');
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  await collectUntil(first, isLive);
  await collectUntil(second, isLive);
  const id = await appendLine(t, ada, 'drain', 'before shutdown');
  await collectUntil(first, (messages) => lineIds(messages).includes(id));

  await t.kernel.beforeShutdown();

  for (const connection of [first, second]) {
    const rest = await collectToEnd(connection, 10_000);
    expect(rest.at(-1)?.retry).toBeGreaterThan(0);
  }
  const refused = await openLog(server.url, ada, 'drain');
  expect(refused.status).toBe(503);
  expect(refused.errorBody.error.code).toBe('UNAVAILABLE');
  expect(refused.headers.get('retry-after')).toBeTruthy();
  // Writes still work while in-flight requests drain, and a later resume finds the line.
  expect(await appendLine(t, ada, 'drain', 'during drain')).toBe(id + 1);
});
