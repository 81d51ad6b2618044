/** Create, update and delete objects: thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  preconditionFailed,
} from '@maskin/contract';
import type { ObjectsService } from '../service.ts';
import { etagOf, versionFromIfMatch } from './etag.ts';
import {
  createBodySchema,
  createdSchema,
  ifMatchHeader,
  MAX_BULK,
  objectIdParam,
  objectSchema,
  updateObjectSchema,
} from './schemas.ts';

const tags = ['Objects'];
const stale = {
  412: jsonResponse(objectSchema.pick({ id: true }).partial(), 'Stale If-Match / expected_version'),
};

export function writeRoutes(db: Db, objects: ObjectsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_objects',
        description: `Creates work objects (insights, bets, tasks, or a custom type of this workspace). Send one object, or an array of up to ${MAX_BULK} to create all or nothing. Each needs a type and a title; content is markdown; status defaults to the type's first status; metadata must match the type's custom fields. Returns the object (or {items} for an array) with its id. To create objects together with relationships between them, use create_graph.`,
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create one object or many (all or nothing)',
        request: { body: jsonBody(createBodySchema) },
        responses: {
          201: jsonResponse(createdSchema, 'The object, or {items} for an array'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const bulk = Array.isArray(body);
        const inputs = bulk ? body : [body];
        const created = await db.transaction((tx) =>
          objects.create(tx, callerScope(c), inputs, (index) => (bulk ? String(index) : undefined)),
        );
        if (bulk) return c.json({ items: created }, 201);
        c.header('ETag', etagOf(created[0]!.version));
        return c.json(created[0]!, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'update_object',
        description:
          "Updates an object's title, content (markdown), status, metadata or driver_id. Only the fields you send change; metadata is merged key by key and a null value removes a key. The type cannot change. Pass expected_version (the version you read) to refuse the update if someone changed the object since. Returns the updated object with its new version.",
        annotations: { idempotentHint: false },
      },
      route: createRoute({
        method: 'patch',
        path: '/{id}',
        tags,
        summary: 'Update an object (If-Match: version)',
        request: { params: objectIdParam, headers: ifMatchHeader, body: jsonBody(updateObjectSchema) },
        responses: { 200: jsonResponse(objectSchema, 'The updated object'), ...errorResponses, ...stale },
      }),
      handler: async (c) => {
        const { expected_version, type: _, ...patch } = c.req.valid('json');
        const fromHeader = versionFromIfMatch(c.req.valid('header')['if-match']);
        if (fromHeader !== undefined && expected_version !== undefined && fromHeader !== expected_version) {
          throw preconditionFailed('If-Match and expected_version disagree; send one of them');
        }
        const updated = await db.transaction((tx) =>
          objects.update(tx, callerScope(c), c.req.valid('param').id, patch, fromHeader ?? expected_version),
        );
        c.header('ETag', etagOf(updated.version));
        return c.json(updated, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'delete_object',
        description:
          'Deletes an object and every relationship that touches it. This cannot be undone. Returns nothing on success.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete an object and its relationships',
        request: { params: objectIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        await db.transaction((tx) => objects.delete(tx, callerScope(c), c.req.valid('param').id));
        return c.body(null, 204);
      },
    }),
  ];
}
