/**
 * Definitions the kernel refuses at boot: an MCP tool on a route whose body is not
 * JSON (it would be dropped silently), idempotency asked for a streamed body, and a
 * zod schema on a multipart body (it would buffer the upload). A third-party extension
 * fails alone, with a message naming the extension, the route and the fix; an
 * `always` extension stops boot with that message.
 */
import { afterAll, expect, it } from 'vitest';
import {
  createRoute,
  defineExtension,
  defineRoute,
  type Enablement,
  type ExtensionDefinition,
  jsonResponse,
  multipartBody,
  type RouteDefinition,
  z,
} from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';

function withRoute(
  id: string,
  route: RouteDefinition,
  enablement: Enablement = 'opt-in',
): ExtensionDefinition {
  return defineExtension({
    manifest: { id, version: '1.0.0', kernel: '^1.0.0', description: `Bad ${id}`, enablement },
    setup: () => ({ routes: [route] }),
  });
}

const uploadRoute = (
  extra: Partial<RouteDefinition>,
  body: unknown = multipartBody({ files: { file: { description: 'A file' } } }),
) =>
  defineRoute({
    access: { auth: 'workspace', role: 'member' },
    route: createRoute({
      method: 'post',
      path: '/upload',
      summary: 'Upload',
      request: { body: body as never },
      responses: { 201: jsonResponse(z.object({ ok: z.boolean() }), 'Stored') },
    }),
    handler: async (c) => c.json({ ok: true }, 201),
    ...extra,
  });

const toolOnUpload = uploadRoute({
  tool: { name: 'upload_file', description: 'Uploads one file to the workspace store' },
});

const t = await createTestKernel({
  extensions: [
    installed(withRoute('tool-upload', toolOnUpload)),
    installed(withRoute('idempotent-upload', uploadRoute({ policy: { idempotency: true } }))),
    installed(
      withRoute(
        'zod-upload',
        uploadRoute({}, { content: { 'multipart/form-data': { schema: z.object({ file: z.string() }) } } }),
      ),
    ),
    installed(withRoute('tiny-limit', uploadRoute({ policy: { bodyLimit: 0 } }))),
  ],
});
afterAll(() => t.close());

const user = await t.signup('Caller');
const failureOf = async (id: string) => {
  const catalog = await t.call('GET', '/api/extensions', { key: user.key });
  expect(catalog.status).toBe(200);
  return catalog.body.items.find((item: { id: string }) => item.id === id);
};

it('fails an extension that puts an MCP tool on a multipart route, naming the route and the fix', async () => {
  const extension = await failureOf('tool-upload');
  expect(extension.status).toBe('failed');
  expect(extension.failure).toContain('route POST /upload declares MCP tool "upload_file"');
  expect(extension.failure).toContain('multipart/form-data, not JSON');
  expect(extension.failure).toContain('Remove `tool` from this route');
  const mounted = await t.call('POST', '/api/m/tool-upload/upload', {
    key: user.key,
    workspace: user.workspaceId,
  });
  expect(mounted.status).toBe(503);
  expect(mounted.body.error.message).toContain('tool-upload');
});

it('fails idempotency on a streamed body, a zod schema on multipart, and a non-positive limit', async () => {
  expect((await failureOf('idempotent-upload')).failure).toContain('Idempotency-Key hashes the whole body');
  expect((await failureOf('zod-upload')).failure).toContain('declare it with multipartBody(...)');
  expect((await failureOf('tiny-limit')).failure).toContain('policy.bodyLimit 0');
});

it('an always-enabled extension with a tool on a multipart route stops boot with the message', async () => {
  await expect(
    createTestKernel({ extensions: [installed(withRoute('core-upload', toolOnUpload, 'always'))] }),
  ).rejects.toThrow(
    /Extension "core-upload" is "always" enabled and failed to start: route POST \/upload declares MCP tool "upload_file".*Remove `tool`/,
  );
});
