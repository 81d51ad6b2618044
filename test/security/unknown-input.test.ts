/**
 * Finding 6 (issue 10): unknown query parameters and body fields answer 400 naming
 * them and the accepted ones, on kernel and extension routes alike (the check is in the
 * kernel's route pipeline), and MCP tool calls are judged the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { callTool, connectMcp } from '../mcp/mcp-clients.ts';

let t: TestKernel;
let owner: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Prober');
});
afterAll(() => t?.close());

const as = (extra: Record<string, unknown> = {}) => ({
  key: owner.key,
  workspace: owner.workspaceId,
  ...extra,
});

async function twoLinkedObjects() {
  const a = await t.call('POST', '/api/objects', as({ body: { type: 'insight', title: 'A' } }));
  const b = await t.call('POST', '/api/objects', as({ body: { type: 'insight', title: 'B' } }));
  const c = await t.call('POST', '/api/objects', as({ body: { type: 'insight', title: 'C' } }));
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  for (const target of [b.body.id, c.body.id]) {
    const link = await t.call(
      'POST',
      '/api/relationships',
      as({ body: { source_id: a.body.id, target_id: target, type: 'relates_to' } }),
    );
    expect(link.status, JSON.stringify(link.body)).toBe(201);
  }
  return { a: a.body, b: b.body, c: c.body };
}

describe('unknown query parameters', () => {
  it('a misspelt filter is refused instead of returning everything unfiltered', async () => {
    const { b } = await twoLinkedObjects();
    const probe = await t.call('GET', `/api/relationships?target_id=${b.id}`, as());
    expect(probe.status).toBe(400);
    expect(probe.body.error.code).toBe('VALIDATION_ERROR');
    expect(probe.body.error.message).toMatch(/target_id/);
    expect(probe.body.error.message).toMatch(/accepted: .*\btarget\b/);
    expect(probe.body.error.details).toEqual([
      { path: 'target_id', message: expect.stringMatching(/unknown/) },
    ]);
    // The right name filters.
    const right = await t.call('GET', `/api/relationships?target=${b.id}`, as());
    expect(right.status).toBe(200);
    expect(right.body.items).toHaveLength(1);
  });

  it('a route without query parameters refuses any, and the kernel parameters still work', async () => {
    const me = await t.call('GET', '/api/actors/me?verbose=1', { key: owner.key });
    expect(me.status).toBe(400);
    expect(me.body.error.message).toMatch(/verbose.*no query parameters are accepted/);
    const byQuery = await t.call('GET', `/api/objects?workspace_id=${owner.workspaceId}&limit=5`, {
      key: owner.key,
    });
    expect(byQuery.status).toBe(200);
  });
});

describe('unknown body fields', () => {
  it('PATCH with `version` (the field is expected_version) is refused and changes nothing', async () => {
    const { a } = await twoLinkedObjects();
    await t.call('PATCH', `/api/objects/${a.id}`, as({ body: { title: 'moved on' } }));
    const stale = await t.call(
      'PATCH',
      `/api/objects/${a.id}`,
      as({ body: { title: 'lost update', version: 0 } }),
    );
    expect(stale.status).toBe(400);
    expect(stale.body.error.message).toMatch(/Unknown field version in the request body/);
    expect(stale.body.error.message).toMatch(/expected_version/);
    const now = await t.call('GET', `/api/objects/${a.id}`, as());
    expect(now.body.title ?? now.body.object?.title).toBe('moved on');
  });

  it('kernel routes refuse unknown fields too, with the path of nested ones', async () => {
    const ws = await t.call('POST', '/api/workspaces', {
      key: owner.key,
      body: { name: 'X', colour: 'red' },
    });
    expect(ws.status).toBe(400);
    expect(ws.body.error.details).toEqual([
      { path: 'colour', message: expect.stringMatching(/name, settings/) },
    ]);
    // Open objects (settings is a record of anything) stay open.
    const open = await t.call('POST', '/api/workspaces', {
      key: owner.key,
      body: { name: 'Y', settings: { anything: { goes: true } } },
    });
    expect(open.status).toBe(201);
  });
});

describe('MCP', () => {
  it('refuses an unknown tool argument the same way', async () => {
    const inProcess = (url: string | URL, init?: RequestInit) =>
      Promise.resolve(t.kernel.app.request(url, init));
    const client = await connectMcp(
      'http://maskin.test',
      { key: owner.key, workspace: owner.workspaceId },
      inProcess,
    );
    try {
      const outcome = await callTool(client, 'list_relationships', { target_id: owner.workspaceId });
      expect(outcome.isError).toBe(true);
      expect(outcome.body.error.code).toBe('VALIDATION_ERROR');
      expect(outcome.body.error.message).toMatch(/target_id/);
    } finally {
      await client.close();
    }
  });
});
