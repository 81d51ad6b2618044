/** The comments routes (and MCP tools). Reading needs `viewer`, writing `member`. */
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
  z,
} from '@maskin/contract';
import type { CommentsService } from './service.ts';

const tags = ['Comments'];

const BODY_DESCRIPTION =
  'Markdown. Mention a member with @[Display name](actor-id): they get a notification, and a mentioned agent is asked to answer.';

export const commentSchema = z
  .object({
    id: z.string().uuid(),
    object_id: z.string().uuid(),
    parent_id: z.string().uuid().nullable().openapi({ description: 'The comment this replies to' }),
    author_id: z.string().uuid().nullable(),
    body: z.string().openapi({ description: `${BODY_DESCRIPTION} Empty once deleted.` }),
    mentions: z.array(z.string().uuid()).openapi({ description: 'The actors it mentions' }),
    edited_at: z.string().nullable(),
    deleted: z.boolean().openapi({ description: 'Deleted comments stay as tombstones so threads hold' }),
    created_at: z.string(),
  })
  .openapi('CommentsComment');

const createSchema = z
  .object({
    object_id: z.string().uuid(),
    body: z.string().trim().min(1).max(20_000).openapi({ description: BODY_DESCRIPTION }),
    parent_id: z.string().uuid().optional().openapi({ description: 'Reply to this comment (same object)' }),
  })
  .openapi('CommentsCreate');

const updateSchema = z
  .object({ body: z.string().trim().min(1).max(20_000).openapi({ description: BODY_DESCRIPTION }) })
  .openapi('CommentsUpdate');

const listQuery = pageQuery.extend({
  object_id: z.string().uuid().openapi({ description: 'The object whose comments to list' }),
  parent_id: z.string().uuid().optional().openapi({ description: 'Only replies to this comment' }),
});

const idParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, description: 'Comment id' }),
});

const scopeOf = (c: Parameters<typeof callerScope>[0]) => ({ ...callerScope(c), role: workspaceOf(c).role });

export function commentRoutes(db: Db, service: CommentsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_comments',
        description:
          "Lists an object's comments oldest first (threads: parent_id is the comment replied to; parent_id filter lists one thread's replies). Pass next_cursor back as cursor for more.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: "List an object's comments, oldest first",
        request: { query: listQuery },
        responses: { 200: jsonResponse(pageOf(commentSchema), 'A page of comments'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'add_comment',
        description:
          'Comments on an object (object_id), or replies to a comment (parent_id). Mention a member with @[Name](actor-id) to notify them; a mentioned agent is asked to answer.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Comment on an object (or reply)',
        request: { body: jsonBody(createSchema) },
        responses: { 201: jsonResponse(commentSchema, 'The comment'), ...errorResponses },
      }),
      handler: async (c) => {
        const input = c.req.valid('json');
        return c.json(await db.transaction((tx) => service.create(tx, scopeOf(c), input)), 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get a comment',
        description:
          'Reads one comment of an object of this workspace: its author, text with mentions, thread parent and edit time (a deleted comment reads as a tombstone).',
        request: { params: idParam },
        responses: { 200: jsonResponse(commentSchema, 'The comment'), ...errorResponses },
      }),
      handler: async (c) => c.json(await service.get(db, workspaceOf(c).id, c.req.valid('param').id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'edit_comment',
        description: 'Replaces the body of a comment you wrote; members newly mentioned are notified.',
      },
      route: createRoute({
        method: 'patch',
        path: '/{id}',
        tags,
        summary: 'Edit your comment',
        request: { params: idParam, body: jsonBody(updateSchema) },
        responses: { 200: jsonResponse(commentSchema, 'The comment'), ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        const { body } = c.req.valid('json');
        return c.json(await db.transaction((tx) => service.update(tx, scopeOf(c), id, body)), 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'delete_comment',
        description:
          'Deletes a comment you wrote (admins: any); it stays as an empty tombstone so replies keep their thread.',
        annotations: { destructiveHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete your comment',
        request: { params: idParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { id } = c.req.valid('param');
        await db.transaction((tx) => service.delete(tx, scopeOf(c), id));
        return c.body(null, 204);
      },
    }),
  ];
}
