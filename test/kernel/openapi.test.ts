/**
 * GET /openapi.json: public, a valid OpenAPI 3.1 document (checked by a validator),
 * and its security and X-Workspace-Id declarations agree with what the pipeline
 * enforces.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let doc: any;
beforeAll(async () => {
  t = await createTestKernel();
  const response = await t.call('GET', '/openapi.json');
  expect(response.status).toBe(200);
  doc = response.body;
});
afterAll(() => t?.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
function operations(): { method: string; path: string; op: any }[] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
  );
}
const find = (method: string, path: string) => {
  const op = doc.paths[path]?.[method];
  expect(op, `${method.toUpperCase()} ${path} in the document`).toBeDefined();
  return op;
};
const usesWorkspaceHeader = (op: any) =>
  (op.parameters ?? []).some((p: any) => p.$ref === '#/components/parameters/WorkspaceId');

describe('GET /openapi.json', () => {
  it('needs no API key and is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\.1/);
  });

  it('declares bearer auth and the X-Workspace-Id header parameter', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.parameters.WorkspaceId).toMatchObject({
      name: 'X-Workspace-Id',
      in: 'header',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    });
  });

  it('marks public routes with security: [] and every other route with bearerAuth (streams: or a ticket)', () => {
    // The no-auth allowlist (design brief §4): signup, health, OAuth callbacks, webhook ingest.
    const publicRoutes = [
      'post /api/actors/signup',
      'get /api/health',
      'get /api/integrations/{provider}/callback',
      'post /api/webhooks/{provider}',
    ];
    // Streams (the event stream, extensions' streams) also accept a stream ticket; nothing else does.
    const isTicketRoute = (method: string, path: string) => method === 'get' && path.endsWith('/stream');
    find('get', '/api/events/stream');
    expect(doc.components.securitySchemes.streamTicket).toMatchObject({
      type: 'apiKey',
      in: 'query',
      name: 'ticket',
    });
    for (const { method, path, op } of operations()) {
      const name = `${method} ${path}`;
      if (publicRoutes.includes(name)) expect(op.security, name).toEqual([]);
      else if (isTicketRoute(method, path))
        expect(op.security, name).toEqual([{ bearerAuth: [] }, { streamTicket: [] }]);
      else expect(op.security, name).toEqual([{ bearerAuth: [] }]);
    }
    for (const name of publicRoutes) {
      const [method, path] = name.split(' ') as [string, string];
      find(method, path);
    }
  });

  it('what the document calls public really is, and what it protects really is', async () => {
    for (const { method, path, op } of operations()) {
      if (method !== 'get' || path.includes('{')) continue;
      const result = await t.call('GET', path);
      if (op.security.length === 0) expect(result.status, path).toBe(200);
      else expect(result.status, path).toBe(401);
    }
  });

  it('header-scoped workspace routes reference X-Workspace-Id; path-scoped ones take workspace_id', () => {
    expect(usesWorkspaceHeader(find('post', '/api/actors/agents'))).toBe(true);
    const byPath = find('get', '/api/workspaces/{workspace_id}');
    expect(usesWorkspaceHeader(byPath)).toBe(false);
    expect(byPath.parameters).toContainEqual(
      expect.objectContaining({ name: 'workspace_id', in: 'path', required: true }),
    );
    // Routes that act for the caller alone need no workspace.
    expect(usesWorkspaceHeader(find('get', '/api/actors/me'))).toBe(false);
    expect(usesWorkspaceHeader(find('post', '/api/workspaces'))).toBe(false);
  });

  it('documents every kernel route, with its error envelope', () => {
    const listed = operations().map(({ method, path }) => `${method} ${path}`);
    for (const name of [
      'get /api/actors/me',
      'get /api/actors/{actor_id}',
      'get /api/actors/{actor_id}/api-keys',
      'post /api/actors/{actor_id}/api-keys',
      'delete /api/actors/{actor_id}/api-keys/{key_id}',
      'get /api/workspaces',
      'patch /api/workspaces/{workspace_id}',
      'delete /api/workspaces/{workspace_id}',
      'get /api/workspaces/{workspace_id}/members',
      'post /api/workspaces/{workspace_id}/members',
      'patch /api/workspaces/{workspace_id}/members/{actor_id}',
      'delete /api/workspaces/{workspace_id}/members/{actor_id}',
    ]) {
      expect(listed).toContain(name);
    }
    const error = doc.components.schemas.Error;
    expect(error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    expect(find('post', '/api/workspaces').responses['401']).toBeDefined();
  });
});
