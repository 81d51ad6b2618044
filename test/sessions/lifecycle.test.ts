/**
 * The whole life of a session with a real child process: created, queued, starting,
 * running, completed, each transition an event; the agent sees its environment, creates
 * an object through MCP with its session key (the object's event carries the agent),
 * writes files, and its stream-json usage lands on the session. A failing agent ends
 * `failed` with its exit code; a missing `claude` binary fails at start saying what to
 * install.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(() => bench?.close());

it('runs an agent from created to completed, with every transition an event', async () => {
  const created = await bench.start('object=1 files=2 results=2 cost=0.05');
  expect(['queued', 'starting']).toContain(created.status);
  const done = await bench.waitStatus(created.id, ['completed', 'failed']);
  expect(done.status, JSON.stringify(await bench.logs(created.id))).toBe('completed');
  expect(done.usage).toEqual({
    input_tokens: 200,
    output_tokens: 20,
    cache_read_tokens: 10,
    cache_creation_tokens: 2,
    cost_usd: 0.1,
  });
  expect(done.runtime_session_id).toMatch(/^fake-/);

  const events = await bench.eventsOf(created.id);
  expect(events.map((event) => event.type)).toEqual([
    'session.created',
    'session.queued',
    'session.starting',
    'session.started',
    'session.completed',
  ]);

  const lines = await bench.logs(created.id);
  const texts = lines.map((line) => line.text);
  expect(texts).toContain(
    `env: workspace=${bench.owner.workspaceId} session=${created.id} api=${bench.url} key=set resume=0 cwd=${
      lines.find((line) => line.text.startsWith('env:'))!.text.split('cwd=')[1]
    }`,
  );
  const objectLine = texts.find((text) => text.startsWith('object: '))!;
  expect(objectLine).toMatch(/^object: [0-9a-f-]{36}$/);
  const objectId = objectLine.slice('object: '.length);
  const object = await bench.call('GET', `/api/objects/${objectId}`);
  expect(object.status).toBe(200);
  const objectEvents = await bench.call('GET', `/api/events?entity_id=${objectId}&limit=10`);
  expect(objectEvents.body.items[0].actor_id).toBe(bench.agentId);
  expect(texts).toContain('files: wrote 2');
  expect(lines.at(-1)).toMatchObject({ kind: 'done', stream: 'system' });
  expect(JSON.parse(lines.at(-1).text)).toEqual({ status: 'completed', reason: null });
});

it('ends failed with the exit code when the agent fails', async () => {
  const created = await bench.start('exit=2');
  const done = await bench.waitStatus(created.id, ['completed', 'failed']);
  expect(done).toMatchObject({ status: 'failed', reason: 'exit code 2' });
});

it('fails at start with what to install when the claude binary is missing', async () => {
  const agentId = await bench.createAgent('Claude agent', { runtime: 'claude-code', command: undefined });
  const created = await bench.call('POST', '/api/sessions', { agent_id: agentId, prompt: 'hello' });
  expect(created.status).toBe(201);
  const done = await bench.waitStatus(created.body.id, ['failed', 'completed', 'running']);
  expect(done.status).toBe('failed');
  expect(done.reason).toContain('npm install -g @anthropic-ai/claude-code');
  expect(done.reason).toContain('claude-not-installed');
});
