/** Request and response schemas of /api/events, shared by the list route and the stream. */
import { z } from '@hono/zod-openapi';
import { storableTimeSchema } from '../contract/values.ts';

export const eventSchema = z
  .object({
    id: z.number().int().openapi({ description: 'Increases in commit order within the workspace' }),
    workspace_id: z.string().uuid().nullable(),
    type: z.string().openapi({ example: 'workspace.updated' }),
    actor_id: z.string().uuid().nullable(),
    entity_type: z.string(),
    entity_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Event');

const eventId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** `type=a,b` and `type=a&type=b` both mean "a or b". */
const typeList = z.preprocess(
  (value) =>
    value === undefined
      ? undefined
      : [value]
          .flat()
          .flatMap((item) => String(item).split(','))
          .map((item) => item.trim())
          .filter(Boolean),
  z.array(z.string().min(1).max(200)).min(1).max(50).optional().openapi({
    type: 'array',
    description: 'Event types, comma-separated or repeated (any of them matches)',
  }),
);

export const eventFilterQuery = z.object({
  type: typeList,
  entity_type: z.string().min(1).max(200).optional(),
  entity_id: z.string().min(1).max(200).optional(),
});

export const eventListQuery = eventFilterQuery.extend({
  actor_id: z.string().uuid().optional(),
  after_id: eventId.optional().openapi({ type: 'integer', description: 'Only events with a larger id' }),
  before_id: eventId.optional().openapi({ type: 'integer', description: 'Only events with a smaller id' }),
  since: storableTimeSchema().optional().openapi({ description: 'Created at or after' }),
  until: storableTimeSchema().optional().openapi({ description: 'Created before' }),
  order: z.enum(['asc', 'desc']).default('desc').openapi({ description: 'By id; desc = newest first' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1-200' }),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor from the previous page' }),
});

/** The account log is always the caller's own: no actor filter. */
export const accountEventQuery = eventListQuery.omit({ actor_id: true });

export const eventStreamQuery = eventFilterQuery.extend({
  last_event_id: eventId.optional().openapi({
    type: 'integer',
    description: 'Resume after this id, for clients that cannot send the Last-Event-ID header',
  }),
  ticket: z.string().max(1000).optional().openapi({
    description:
      'A ticket from POST /api/events/stream-tickets, in place of the Authorization and X-Workspace-Id headers',
  }),
});

export const streamTicketSchema = z
  .object({
    ticket: z.string(),
    expires_at: z.string().openapi({ format: 'date-time' }),
    stream_url: z
      .string()
      .openapi({ description: 'The path of the stream with this ticket, on this server' }),
  })
  .openapi('StreamTicket');

export const eventStreamHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{0,15}$/, 'must be an event id')
    .optional()
    .openapi({ description: 'Last-Event-ID: resume after this event id' }),
});
