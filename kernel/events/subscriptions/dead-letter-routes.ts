/** GET /api/workspaces/{workspace_id}/dead-letters: events that subscriptions parked (admin). */
import { createRoute, z } from '@hono/zod-openapi';
import { workspaceOf } from '../../contract/context.ts';
import { defineRoute, errorResponses, jsonResponse, pageOf, pageQuery } from '../../contract/route.ts';
import type { Database } from '../../db/database.ts';
import { workspaceIdParam } from '../../workspaces/schemas.ts';
import { listDeadLetters } from './dead-letters.ts';

const deadLetterSchema = z
  .object({
    id: z.number().int(),
    workspace_id: z.string().uuid(),
    extension_id: z.string(),
    consumer: z.string().openapi({ description: 'The subscription, `<extension id>:<name>`' }),
    event_id: z.number().int().openapi({ description: 'The parked event (GET /api/events?after_id=…)' }),
    event_type: z.string(),
    attempts: z.number().int(),
    last_error: z.string().openapi({ description: "The handler's last error" }),
    parked_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('DeadLetter');

export function deadLetterRoutes(database: Database) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: 'workspace_id' },
      tool: {
        name: 'list_dead_letters',
        description:
          "Lists events that an extension's event subscription could not process in this workspace (admin): " +
          'after its handler failed on every retry the event was parked and the subscription moved on. Each item ' +
          'names the extension, the subscription (consumer), the event id and type, the number of attempts and ' +
          'the last error. Newest first; returns {items, next_cursor}.',
        annotations: { readOnlyHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}/dead-letters',
        tags: ['Events'],
        summary: 'Events parked by subscriptions after their handler kept failing (admin)',
        request: { params: workspaceIdParam, query: pageQuery },
        responses: { 200: jsonResponse(pageOf(deadLetterSchema), 'Dead letters'), ...errorResponses },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await listDeadLetters(database.db, workspaceOf(c).id, limit, cursor), 200);
      },
    }),
  ];
}
