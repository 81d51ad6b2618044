/** Thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  pageQuery,
  workspaceOf,
} from '@maskin/contract';
import type { TemplateItemsService } from '../service.ts';
import type { TemplateItemsSettings } from '../settings.ts';
import { createItemSchema, itemSchema } from './schemas.ts';

const tags = ['Template items'];

export function itemRoutes(deps: {
  db: Db;
  service: TemplateItemsService;
  settings: (workspaceId: string) => Promise<TemplateItemsSettings>;
}) {
  const { db, service } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_item',
        description: 'Creates an item with a title in the current workspace. Returns the item with its id.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create an item',
        request: { body: jsonBody(createItemSchema) },
        responses: { 201: jsonResponse(itemSchema, 'The item'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const settings = await deps.settings(scope.workspaceId);
        const item = await db.transaction((tx) =>
          service.create(tx, { ...scope, settings }, c.req.valid('json')),
        );
        return c.json(item, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List items, newest first',
        description:
          'The items of the current workspace, newest first, a page at a time (pass next_cursor as cursor).',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(itemSchema), 'Items'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
  ];
}
