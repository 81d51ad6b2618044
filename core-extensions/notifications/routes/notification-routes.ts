/**
 * The notifications routes (and MCP tools). Everything is the caller's own: a list
 * shows what is addressed to the caller (or, with direction=sent, what it sent); a
 * notification is visible to its target and its source; only the target marks,
 * dismisses or answers it. The caller is always the source of what it creates.
 * Managing one's own inbox needs only `viewer`; sending needs `member`.
 */
import {
  authOf,
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  workspaceOf,
  z,
} from '@maskin/contract';
import type { NotificationsService } from '../service.ts';
import {
  countsSchema,
  createNotificationSchema,
  idParam,
  listQuery,
  markAllSchema,
  notificationSchema,
  respondResultSchema,
  respondSchema,
} from './schemas.ts';

const tags = ['Notifications'];

export function notificationRoutes(db: Db, service: NotificationsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_notifications',
        description:
          'Lists your notifications in the current workspace, newest first: filter by status (pending, seen, resolved, dismissed), type (needs_input, recommendation, good_news, alert), unread=true, object_id; direction=sent lists the ones you sent (e.g. questions you asked, with their answers). Pass next_cursor back as cursor for the next page.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List your notifications, newest first',
        request: { query: listQuery },
        responses: {
          200: jsonResponse(pageOf(notificationSchema), 'A page of notifications'),
          ...errorResponses,
        },
      }),
      handler: async (c) => c.json(await service.list(db, callerScope(c), c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'count_unread_notifications',
        description:
          'Counts your unread (pending) notifications in the current workspace, in total and per type.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/counts',
        tags,
        summary: 'Count your unread notifications per type',
        responses: { 200: jsonResponse(countsSchema, 'Unread counts'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.unreadCounts(db, callerScope(c)), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'mark_all_notifications_seen',
        description:
          'Marks every unread notification of yours (optionally of one type) as seen; returns how many changed.',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/seen',
        tags,
        summary: 'Mark all your unread notifications seen',
        request: { body: jsonBody(markAllSchema) },
        responses: {
          200: jsonResponse(
            z.object({ marked: z.number().int() }).openapi('NotificationsMarked'),
            'How many changed',
          ),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const { type } = c.req.valid('json');
        return c.json(await db.transaction((tx) => service.markAllSeen(tx, callerScope(c), type)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_notification',
        description:
          'Sends a notification to a member of the workspace (target_actor_id): type needs_input (a question: set metadata.input_type confirmation/single/multiple/text, metadata.options for single/multiple, or metadata.actions), recommendation, good_news or alert. You are its source. To ask a human and get woken with the answer, prefer ask_human.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Send a notification (you are its source)',
        request: { body: jsonBody(createNotificationSchema) },
        responses: { 201: jsonResponse(notificationSchema, 'The notification'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const created = await db.transaction((tx) =>
          service.create(
            tx,
            { workspaceId: workspaceOf(c).id, sourceActorId: authOf(c).actor.id },
            {
              type: body.type,
              targetActorId: body.target_actor_id,
              title: body.title,
              content: body.content,
              objectId: body.object_id,
              metadata: body.metadata,
            },
          ),
        );
        return c.json(created, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_notification',
        description:
          'Reads one notification you received or sent, with its status and, once answered, the answer (answer, answered_by, answered_at).',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get a notification you received or sent',
        request: { params: idParam },
        responses: { 200: jsonResponse(notificationSchema, 'The notification'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.get(db, callerScope(c), c.req.valid('param').id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'respond_to_notification',
        description:
          'Answers a notification addressed to you that asks something: action (one of metadata.actions ids) and/or value (confirmation: true/false; single: an option value; multiple: option values; text: a string), plus an optional comment. Stored once; the asking agent is woken with it.',
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/respond',
        tags,
        summary: 'Answer a notification (once; a second answer is 409)',
        request: { params: idParam, body: jsonBody(respondSchema) },
        responses: { 200: jsonResponse(respondResultSchema, 'Stored and resolved'), ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        const answer = c.req.valid('json');
        const result = await db.transaction((tx) => service.respond(tx, callerScope(c), id, answer));
        return c.json(result as z.infer<typeof respondResultSchema>, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'mark_notification_seen',
        description: 'Marks one unread notification of yours as seen (a read one is left as it is).',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/seen',
        tags,
        summary: 'Mark a notification seen',
        request: { params: idParam },
        responses: { 200: jsonResponse(notificationSchema, 'The notification'), ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        return c.json(await db.transaction((tx) => service.markSeen(tx, callerScope(c), id)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'dismiss_notification',
        description:
          'Dismisses a notification of yours that is not answered: it stays listed with status dismissed.',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/dismiss',
        tags,
        summary: 'Dismiss a notification (409 once answered)',
        request: { params: idParam },
        responses: { 200: jsonResponse(notificationSchema, 'The notification'), ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        return c.json(await db.transaction((tx) => service.dismiss(tx, callerScope(c), id)), 200);
      },
    }),
  ];
}
