import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

describe('smoke', () => {
  it('serves health and signup', async () => {
    const health = await t.call('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const user = await t.signup('Ada');
    const me = await t.call('GET', '/api/actors/me', { key: user.key });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('Ada');
    const list = await t.call('GET', '/api/workspaces', { key: user.key });
    expect(list.body.items).toHaveLength(1);
    const doc = await t.call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/api/workspaces');
  });
});
