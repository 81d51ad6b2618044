import { describe, expect, it } from 'vitest';
import type { ApiError } from '../contract/errors.ts';
import { deriveToolInput } from './tool-input-schema.ts';
import { buildToolRequest } from './tool-request.ts';

const WORKSPACE = '11111111-1111-4111-8111-111111111111';
const path = (name: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  schema,
});
const query = (name: string, schema: object = { type: 'string' }, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});
const jsonBody = (schema: object, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

describe('deriveToolInput', () => {
  it('refuses a body that is not JSON instead of dropping it', () => {
    const upload = {
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', properties: {} } } },
      },
    };
    expect(() => deriveToolInput(upload)).toThrow(/multipart\/form-data: tool arguments are JSON/);
  });

  it('puts path and query parameters and a plain object body at the top level', () => {
    const { inputSchema, plan } = deriveToolInput({
      parameters: [
        path('id'),
        query('limit', { type: 'integer' }, 'Page size'),
        { name: 'If-Match', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: jsonBody({
        type: 'object',
        properties: { title: { type: 'string' }, body: { type: 'string' } },
        required: ['title'],
      }),
    });
    expect(inputSchema).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        limit: { type: 'integer', description: 'Page size' },
        title: { type: 'string' },
        body: { type: 'string' },
      },
      required: ['id', 'title'],
      additionalProperties: false,
    });
    expect(plan).toEqual({
      path: ['id'],
      query: ['limit'],
      body: { mode: 'merged', fields: ['title', 'body'], required: true },
    });
  });

  it('wraps a body under `body` when it is not a plain object or its fields clash with a parameter', () => {
    const record = deriveToolInput({ requestBody: jsonBody({ type: 'object', additionalProperties: {} }) });
    expect(record.plan.body).toEqual({
      mode: 'wrapped',
      property: 'body',
      required: true,
      expected: '{...}',
    });
    expect(record.inputSchema.required).toEqual(['body']);

    const clash = deriveToolInput({
      parameters: [path('id')],
      requestBody: jsonBody({ type: 'object', properties: { id: { type: 'string' } } }, false),
    });
    expect(clash.plan.body).toEqual({
      mode: 'wrapped',
      property: 'body',
      required: false,
      expected: '{id?}',
    });
    expect(clash.inputSchema.required).toEqual(['id']);

    const union = deriveToolInput({
      requestBody: jsonBody({ anyOf: [{ type: 'array' }, { type: 'object' }] }),
    });
    expect(union.plan.body.mode).toBe('wrapped');
  });

  it('offers one item flat and the other forms under `body` when a union has one object branch', () => {
    const { inputSchema, plan } = deriveToolInput(
      {
        requestBody: jsonBody({
          anyOf: [
            { type: 'array', items: { $ref: '#/components/schemas/Item' } },
            { $ref: '#/components/schemas/Item' },
          ],
        }),
      },
      {
        schemas: {
          Item: {
            type: 'object',
            properties: { type: { type: 'string' }, title: { type: 'string' }, content: { type: 'string' } },
            required: ['type', 'title'],
          },
        },
      },
    );
    expect(plan.body).toEqual({
      mode: 'flat-or-wrapped',
      fields: ['type', 'title', 'content'],
      property: 'body',
      required: true,
      expected: '[{type, title, content?}, ...] | {type, title, content?}',
    });
    expect(Object.keys(inputSchema.properties)).toEqual(['type', 'title', 'content', 'body']);
    expect(inputSchema.required).toBeUndefined();
    const operation = { method: 'post', path: '/api/objects' };
    expect(buildToolRequest(operation, plan, { type: 'task', title: 'x' }, 'w')).toMatchObject({
      body: { type: 'task', title: 'x' },
    });
    expect(buildToolRequest(operation, plan, { body: [{ type: 'task', title: 'x' }] }, 'w')).toMatchObject({
      body: [{ type: 'task', title: 'x' }],
    });
    const both = buildToolRequest(operation, plan, { title: 'x', body: [] }, 'w') as ApiError;
    expect(both.message).toContain('not both');
    const unknown = buildToolRequest(operation, plan, { titel: 'x' }, 'w') as ApiError;
    expect(unknown.message).toBe(
      'Unknown argument titel (accepted: type, title, content, body; body is [{type, title, content?}, ...] | {type, title, content?})',
    );
  });

  it('makes workspace_id optional: it defaults to the connection workspace', () => {
    const { inputSchema } = deriveToolInput({ parameters: [path('workspace_id'), path('actor_id')] });
    expect(inputSchema.required).toEqual(['actor_id']);
    expect(inputSchema.properties.workspace_id.description).toContain('defaults to the workspace');
  });

  it('resolves component refs into local $defs, transitively, including a referenced body', () => {
    const { inputSchema, plan } = deriveToolInput(
      { requestBody: jsonBody({ $ref: '#/components/schemas/Input' }) },
      {
        schemas: {
          Input: { type: 'object', properties: { role: { $ref: '#/components/schemas/Role' } } },
          Role: { anyOf: [{ $ref: '#/components/schemas/Base' }] },
          Base: { type: 'string' },
        },
      },
    );
    expect(plan.body.mode).toBe('merged');
    expect(inputSchema.properties.role).toEqual({ $ref: '#/$defs/Role' });
    expect(inputSchema.$defs).toEqual({
      Role: { anyOf: [{ $ref: '#/$defs/Base' }] },
      Base: { type: 'string' },
    });
  });
});

describe('buildToolRequest', () => {
  const operation = { method: 'patch', path: '/api/workspaces/{workspace_id}/items/{id}' };
  const { plan } = deriveToolInput({
    parameters: [path('workspace_id'), path('id'), query('type', { type: 'array' })],
    requestBody: jsonBody({ type: 'object', properties: { title: { type: 'string' } } }),
  });

  it('fills the path, repeats array query values, and rebuilds the body from its fields', () => {
    expect(buildToolRequest(operation, plan, { id: 'a/b', type: ['x', 'y'], title: 'T' }, WORKSPACE)).toEqual(
      {
        method: 'PATCH',
        url: `/api/workspaces/${WORKSPACE}/items/a%2Fb?type=x&type=y`,
        body: { title: 'T' },
      },
    );
  });

  it('sends a required body even without fields, so the route reports what is missing', () => {
    expect(buildToolRequest(operation, plan, { id: 'a' }, WORKSPACE)).toMatchObject({ body: {} });
  });

  it('refuses unknown arguments and missing path parameters with VALIDATION_ERROR', () => {
    const unknown = buildToolRequest(operation, plan, { id: 'a', titel: 'T' }, WORKSPACE);
    expect(unknown).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'titel' }] });
    const missing = buildToolRequest(operation, plan, { title: 'T' }, WORKSPACE);
    expect(missing).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'id', message: 'required' }],
    });
  });
});
