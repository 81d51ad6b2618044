/**
 * Secrets never leave: the agent's secret environment and the workspace's LLM key reach
 * the agent's process (it proves so without printing them), but no HTTP response, event
 * row, log line, stored row other than ciphertext, or server log line contains them.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

const AGENT_SECRET = 'agent-secret-3f9c1b7e2d6a4c8f';
const WORKSPACE_KEY = 'sk-ant-workspace-9d8c7b6a5f4e3d2c';
let bench: Bench;
const responses: string[] = [];
const serverLog: string[] = [];

beforeAll(async () => {
  bench = await createBench({
    profile: { env: { SECRET_TOKEN: AGENT_SECRET } },
    logger: pino({ level: 'debug' }, { write: (line: string) => void serverLog.push(line) }),
  });
});
afterAll(() => bench?.close());

it('keeps secrets out of responses, events and logs', async () => {
  const record = async (method: string, path: string, body?: unknown) => {
    const result = await bench.call(method, path, body);
    responses.push(JSON.stringify(result.body));
    return result;
  };
  const put = await record('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    secrets: { anthropic_api_key: WORKSPACE_KEY },
  });
  expect(put.status).toBe(200);
  const profile = await record('GET', `/api/sessions/agents/${bench.agentId}/profile`);
  expect(profile.body.env_keys).toEqual(['SECRET_TOKEN']);
  await record('GET', '/api/sessions/agents');
  const created = await record('POST', '/api/sessions', {
    agent_id: bench.agentId,
    prompt: 'object=1 results=1',
  });
  await bench.waitStatus(created.body.id, ['completed']);
  await record('GET', `/api/sessions/${created.body.id}`);
  await record('GET', `/api/sessions/${created.body.id}/logs?limit=200`);
  await record('GET', '/api/sessions?limit=200');
  await record('GET', '/api/events?limit=200');
  await record('GET', `/api/workspaces/${bench.owner.workspaceId}/extensions`);

  const database = bench.t.kernel.services.database;
  const dump = async (table: string) => JSON.stringify(await database.query(`select * from ${table}`));
  const stored = [
    await dump('events'),
    await dump('sessions_log_lines'),
    await dump('sessions'),
    await dump('sessions_agent_profiles'),
  ];
  for (const secret of [AGENT_SECRET, WORKSPACE_KEY]) {
    for (const text of [...responses, ...stored, ...serverLog]) expect(text).not.toContain(secret);
  }
  // The credentials line names the source only.
  const logs = await bench.logs(created.body.id, 'system');
  expect(logs.map((line) => line.text)).toContain('credentials: workspace keys');
  const stdout = await bench.logs(created.body.id, 'stdout');
  expect(stdout.map((line) => line.text)).toContain('secrets: SECRET_TOKEN=set ANTHROPIC_API_KEY=set');
  expect(serverLog.length).toBeGreaterThan(0);
});
