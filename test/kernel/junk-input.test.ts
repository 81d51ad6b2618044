/**
 * Bad input never hurts: every operation in the OpenAPI document (kernel and every
 * installed extension) is sent junk in its path, query and body, as a member of a
 * real workspace, and must answer a 4xx in the error envelope, never a 500.
 *
 * The operations come from the live document, so a route added later is covered
 * without touching this file.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
let document: any;

beforeAll(async () => {
  t = await createTestKernel();
  user = await t.signup('Junk');
  for (const extension of (await t.call('GET', '/api/extensions', { key: user.key })).body.items) {
    await t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/${extension.id}`, {
      key: user.key,
      body: { enabled: true, enable_requires: true },
    });
  }
  document = (await t.call('GET', '/openapi.json')).body;
});
afterAll(() => t?.close());

const JUNK_SCALARS: unknown[] = [
  '',
  'x',
  '-1',
  '1e309',
  '99999999999999999999999',
  'null',
  '\u0000',
  '%00',
  '../../etc/passwd',
  'a'.repeat(5000),
  '🙂'.repeat(300),
  '2025-13-45T99:99:99Z',
  '+275760-09-13T00:00:00.000Z',
];

const JUNK_VALUES: unknown[] = [
  null,
  -1,
  0,
  1.5,
  2 ** 63,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER,
  true,
  '',
  'x'.repeat(200_000),
  '\u0000',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999-14:00',
  [],
  [null],
  {},
  { constructor: 1, __proto__: { polluted: true } },
  randomUUID(),
];

/** Wrong-typed and out-of-range values for every property of a body schema. */
function junkBodies(schema: any): unknown[] {
  const resolved = schema?.$ref ? resolveRef(schema.$ref) : schema;
  const bodies: unknown[] = [null, [], 'text', 42, {}, { unknown_field: 1 }, [{}], Array(501).fill({})];
  const properties = resolved?.properties ?? resolved?.anyOf?.[0]?.properties ?? {};
  for (const name of Object.keys(properties)) {
    for (const value of JUNK_VALUES) bodies.push({ [name]: value });
  }
  return bodies;
}

function resolveRef(ref: string): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: any, key) => node?.[key], document);
}

interface Probe {
  method: string;
  path: string;
  body?: unknown;
}

function probesFor(method: string, template: string, operation: any): Probe[] {
  const parameters: any[] = (operation.parameters ?? []).map((p: any) => (p.$ref ? resolveRef(p.$ref) : p));
  const pathParams = parameters.filter((p) => p.in === 'path').map((p) => p.name as string);
  const queryParams = parameters.filter((p) => p.in === 'query').map((p) => p.name as string);
  const fill = (value: string) =>
    template.replace(/\{([^}]+)\}/g, (_, name: string) =>
      name === 'workspace_id' && value === 'real' ? user.workspaceId : encodeURIComponent(value),
    );
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const probes: Probe[] = [];
  // Junk in each path parameter (the workspace one stays real, so deeper checks run too),
  // with an empty JSON object as the body where there is one, so the path is what fails.
  if (pathParams.length > 0) {
    for (const value of JUNK_SCALARS) {
      probes.push({ method, path: fill(String(value)), ...(body ? { body: {} } : {}) });
    }
  }
  const base = fill(pathParams.some((name) => name !== 'workspace_id') ? randomUUID() : 'real');
  for (const name of queryParams) {
    for (const value of JUNK_SCALARS) {
      probes.push({ method, path: `${base}?${name}=${encodeURIComponent(String(value))}` });
    }
    probes.push({ method, path: `${base}?${name}=1&${name}=2` });
  }
  if (body) for (const junk of junkBodies(body)) probes.push({ method, path: base, body: junk });
  return probes;
}

it('answers junk on every operation with a 4xx envelope, never a 500', async () => {
  const failures: string[] = [];
  let sent = 0;
  for (const [template, operations] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // The stream stays open by design; its bad input is covered in the events tests.
      if (template.endsWith('/stream')) continue;
      for (const probe of probesFor(method.toUpperCase(), template, operation)) {
        // Never delete the probing workspace itself: everything after would be a 404.
        if (probe.method === 'DELETE' && probe.path === `/api/workspaces/${user.workspaceId}`) continue;
        const response = await t.call(probe.method, probe.path, {
          key: user.key,
          workspace: user.workspaceId,
          ...(probe.body === undefined ? {} : { rawBody: JSON.stringify(probe.body) }),
          headers: probe.body === undefined ? {} : { 'content-type': 'application/json' },
        });
        sent++;
        const label = `${probe.method} ${probe.path.slice(0, 120)} ${JSON.stringify(probe.body)?.slice(0, 120) ?? ''}`;
        if (response.status >= 500) failures.push(`${response.status} ${label}`);
        else if (response.status >= 400 && typeof response.body?.error?.code !== 'string') {
          failures.push(`no envelope (${response.status}) ${label}`);
        }
      }
    }
  }
  expect(sent).toBeGreaterThan(500);
  expect(failures).toEqual([]);
});
