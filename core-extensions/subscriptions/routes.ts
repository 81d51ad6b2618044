/** The subscriptions routes (and MCP tools): the caller subscribes itself, lists and removes its own. */
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
  validationError,
  z,
} from '@maskin/contract';
import type { SubscriptionsService } from './service.ts';

const tags = ['Subscriptions'];

export const subscriptionSchema = z
  .object({
    id: z.string().uuid(),
    actor_id: z.string().uuid().openapi({ description: 'The subscriber' }),
    kind: z.enum(['object', 'object_type', 'event_type']),
    target: z
      .string()
      .openapi({ description: 'The object id, object type, or event type (* = every event)' }),
    reason: z.enum(['manual', 'creator', 'driver']).openapi({ description: 'How it came to be' }),
    created_at: z.string(),
  })
  .openapi('SubscriptionsSubscription');

const subscribeSchema = z
  .object({
    object_id: z.string().uuid().optional(),
    object_type: z.string().min(1).max(50).optional(),
    event_type: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'entity.action, or * for every event' }),
  })
  .openapi('SubscriptionsSubscribe');

const listQuery = pageQuery.extend({
  kind: z.enum(['object', 'object_type', 'event_type']).optional(),
  target: z.string().max(100).optional(),
});

const idParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, description: 'Subscription id' }),
});

export function subscriptionRoutes(db: Db, service: SubscriptionsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_subscriptions',
        description:
          'Lists your subscriptions in the current workspace (objects, object types and event types you are notified about), newest first; filter by kind or target.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List your subscriptions',
        request: { query: listQuery },
        responses: { 200: jsonResponse(pageOf(subscriptionSchema), 'Your subscriptions'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.list(db, callerScope(c), c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'subscribe',
        description:
          'Subscribes you to one of: an object (object_id), every object of a type (object_type), or an event type (event_type, e.g. object.status_changed, or * for every event). You then get a notification for each matching event caused by someone else. Subscribing twice is harmless.',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Subscribe to an object, an object type or an event type',
        request: { body: jsonBody(subscribeSchema) },
        responses: {
          200: jsonResponse(subscriptionSchema, 'Already subscribed'),
          201: jsonResponse(subscriptionSchema, 'Subscribed'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const given = (['object_id', 'object_type', 'event_type'] as const).filter(
          (key) => body[key] !== undefined,
        );
        if (given.length !== 1) {
          throw validationError('Give exactly one of object_id, object_type, event_type', [
            { path: given[1] ?? 'object_id', message: 'exactly one of object_id, object_type, event_type' },
          ]);
        }
        const key = given[0]!;
        const kind = key === 'object_id' ? 'object' : key;
        const result = await db.transaction((tx) => service.subscribe(tx, callerScope(c), kind, body[key]!));
        return result.created ? c.json(result.subscription, 201) : c.json(result.subscription, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'unsubscribe',
        description: 'Removes one of your subscriptions by id (see list_subscriptions).',
        annotations: { destructiveHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Unsubscribe',
        request: { params: idParam },
        responses: { 204: { description: 'Removed' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        await db.transaction((tx) => service.unsubscribe(tx, callerScope(c), id));
        return c.body(null, 204);
      },
    }),
  ];
}
