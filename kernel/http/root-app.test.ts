/**
 * The root app's own step around every request: a request that came over the network
 * gets its request id and nosniff on the response and one log line; a request made in
 * process for another (an MCP tool's route) gets neither header, since its response
 * goes back to the tool, not to a client, and is listed in the outer request's line.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { AuthContext } from '../contract/context.ts';
import { inProcessEnv, RequestsMade } from './in-process-caller.ts';
import { inProcessRequest } from './in-process-request.ts';
import { createRootApp } from './root-app.ts';

function rootApp() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const app = createRootApp(loadConfig({ LOG_LEVEL: 'info' }), logger);
  app.get('/things', (c) => c.json({ ok: true }));
  return { app, lines, logger };
}

describe('root app', () => {
  it('marks a network response with its request id and nosniff, and logs one line', async () => {
    const { app, lines } = rootApp();
    const response = await app.request('/things', { headers: { 'x-request-id': 'req-1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(lines.filter((line) => line.msg === 'request')).toMatchObject([
      { request_id: 'req-1', method: 'GET', path: '/things', status: 200 },
    ]);
  });

  it('leaves the response of an in-process request unmarked and lists it in the outer line', async () => {
    const { app, lines, logger } = rootApp();
    const made = new RequestsMade();
    const env = inProcessEnv({
      auth: {} as AuthContext,
      requestId: 'outer-1',
      logger: logger.child({ request_id: 'outer-1' }),
      made,
    });
    const response = await app.fetch(
      inProcessRequest('http://localhost/things', { method: 'GET', headers: {} }),
      env,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('x-request-id')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBeNull();
    expect(made.entries).toMatchObject([{ method: 'GET', path: '/things', status: 200 }]);
    expect(lines.filter((line) => line.msg === 'request')).toEqual([]);
  });
});
