/**
 * Finding 3 (issue 10): GET /api/objects/:id no longer returns every relationship and
 * every connected object in full. It shows the newest 50 (relationships_limit, at most
 * 200) with the connected objects' content cut, says when there are more, and the rest
 * pages through GET /api/relationships. A large MCP answer is sent once, not twice.
 * (List pages bounded by size: kernel/contract/pagination.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { connectMcp } from '../mcp/mcp-clients.ts';

let t: TestKernel;
let owner: Awaited<ReturnType<TestKernel['signup']>>;
let hub: string;
const LINKS = 60;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Linker');
  const as = (body: unknown) => ({ key: owner.key, workspace: owner.workspaceId, body });
  hub = (
    await t.call('POST', '/api/objects', as({ type: 'bet', title: 'Hub', content: 'h'.repeat(100_000) }))
  ).body.id;
  const others = await t.call(
    'POST',
    '/api/objects',
    as(
      Array.from({ length: LINKS }, (_, i) => ({
        type: 'task',
        title: `T${i}`,
        content: 'x'.repeat(10_000),
      })),
    ),
  );
  expect(others.status, JSON.stringify(others.body).slice(0, 300)).toBe(201);
  const ids: string[] = (others.body.items ?? others.body).map((o: { id: string }) => o.id);
  for (const id of ids) {
    const link = await t.call(
      'POST',
      '/api/relationships',
      as({ source_id: hub, target_id: id, type: 'breaks_into' }),
    );
    expect(link.status, JSON.stringify(link.body)).toBe(201);
  }
});
afterAll(() => t?.close());

const get = (query = '') =>
  t.call('GET', `/api/objects/${hub}${query}`, { key: owner.key, workspace: owner.workspaceId });

describe('GET /api/objects/:id', () => {
  it('caps the relationships and connected objects, cuts their content, and says there are more', async () => {
    const detail = await get();
    expect(detail.status).toBe(200);
    expect(detail.body.relationships).toHaveLength(50);
    expect(detail.body.relationships_truncated).toBe(true);
    expect(detail.body.connected_objects).toHaveLength(50);
    for (const other of detail.body.connected_objects) {
      expect(other.content.length).toBeLessThanOrEqual(2_000);
      expect(other.content_truncated).toBe(true);
    }
    // The object itself is whole.
    expect(detail.body.content).toHaveLength(100_000);
    expect(JSON.stringify(detail.body).length).toBeLessThan(400_000);
  });

  it('shows up to 200 on request, and the rest pages through /api/relationships', async () => {
    const all = await get('?relationships_limit=200');
    expect(all.body.relationships).toHaveLength(LINKS);
    expect(all.body.relationships_truncated).toBe(false);
    expect((await get('?relationships_limit=201')).status).toBe(400);
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; next_cursor: string | null } } = await t.call(
        'GET',
        `/api/relationships?source=${hub}&limit=25${cursor ? `&cursor=${cursor}` : ''}`,
        { key: owner.key, workspace: owner.workspaceId },
      );
      for (const item of page.body.items) seen.add(item.id);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.size).toBe(LINKS);
  });
});

describe('MCP', () => {
  it('sends a large answer once (text only), a small one with structuredContent', async () => {
    const inProcess = (url: string | URL, init?: RequestInit) =>
      Promise.resolve(t.kernel.app.request(url, init));
    const client = await connectMcp(
      'http://maskin.test',
      { key: owner.key, workspace: owner.workspaceId },
      inProcess,
    );
    try {
      const large = await client.callTool({ name: 'get_object', arguments: { id: hub } });
      expect(large.structuredContent).toBeUndefined();
      const text = (large.content as { text: string }[]).map((part) => part.text).join('');
      expect(JSON.parse(text).id).toBe(hub);
      const small = await client.callTool({ name: 'get_me', arguments: {} });
      expect((small.structuredContent as { id: string }).id).toBe(owner.actorId);
    } finally {
      await client.close();
    }
  });
});
