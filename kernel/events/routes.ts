/** /api/events: the workspace's activity log, as pages and as a live stream. */
import { createRoute, z } from '@hono/zod-openapi';
import { authOf, workspaceOf } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import { defineRoute, errorResponses, jsonResponse, pageOf } from '../contract/route.ts';
import type { KernelServices } from '../services.ts';
import type { EventFilter, EventListQuery } from './event-log.ts';
import { listEvents } from './event-log.ts';
import { ACCOUNT_SCOPE } from './record-event.ts';
import {
  accountEventQuery,
  eventListQuery,
  eventSchema,
  eventStreamHeaders,
  eventStreamQuery,
  streamTicketSchema,
} from './schemas.ts';
import { openSseStream, resumeId } from './sse-response.ts';

const tags = ['Events'];

function filterOf(query: {
  type?: string[];
  entity_type?: string;
  entity_id?: string;
}): EventFilter | undefined {
  if (!query.type && query.entity_type === undefined && query.entity_id === undefined) return undefined;
  return { types: query.type, entityType: query.entity_type, entityId: query.entity_id };
}

function listQueryOf(q: z.output<typeof accountEventQuery>, actorId: string | undefined): EventListQuery {
  return {
    ...filterOf(q),
    actorId,
    afterId: q.after_id,
    beforeId: q.before_id,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    order: q.order,
    limit: q.limit,
    cursor: q.cursor,
  };
}

export function eventRoutes(k: KernelServices) {
  const { database, config, eventStream, streamQuota, streamTickets } = k;

  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_events',
        description:
          'Lists the activity log of the current workspace: every change anyone (human or agent) made, as events ' +
          'such as object.created or member.added, newest first. Filter by type (comma-separated), entity_type, ' +
          'entity_id, actor_id, an id range (after_id/before_id) or a time range (since/until, ISO-8601). ' +
          'Use it to see what happened to an entity or what changed since an event id you already know ' +
          '(after_id with order=asc). Returns {items, next_cursor}; pass next_cursor back for the next page.',
        annotations: { readOnlyHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'The activity log of the workspace (filtered, keyset-paginated)',
        request: { query: eventListQuery },
        responses: { 200: jsonResponse(pageOf(eventSchema), 'Events'), ...errorResponses },
      }),
      handler: async (c) => {
        const q = c.req.valid('query');
        return c.json(await listEvents(database.db, workspaceOf(c).id, listQueryOf(q, q.actor_id)), 200);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'list_account_events',
        description:
          'Lists what you did at account level, outside any workspace: signing up (`actor.created`), creating and ' +
          'revoking your own API keys (`api_key.created`, `api_key.revoked`), deleting workspaces ' +
          '(`workspace.deleted`). Newest first; same filters and paging as list_events (no actor_id: always you). ' +
          'The log of a workspace is list_events (GET /api/events).',
        annotations: { readOnlyHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/account',
        tags,
        summary: "The caller's account-level events (own API keys, signup, deleted workspaces)",
        request: { query: accountEventQuery },
        responses: { 200: jsonResponse(pageOf(eventSchema), 'Events'), ...errorResponses },
      }),
      handler: async (c) => {
        const q = c.req.valid('query');
        return c.json(await listEvents(database.db, ACCOUNT_SCOPE, listQueryOf(q, authOf(c).actor.id)), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      policy: { secretResponse: true },
      route: createRoute({
        method: 'post',
        path: '/stream-tickets',
        tags,
        summary: 'A short-lived ticket to open the event stream without headers (browsers)',
        description:
          "Browsers' EventSource cannot send Authorization or X-Workspace-Id, and API keys never go in URLs. " +
          'Ask for a ticket with your key, then open `stream_url` (GET /api/events/stream?ticket=...) with no ' +
          'headers. A ticket is valid for 60 seconds, for this workspace, and only to open streams; the stream ' +
          'checks your key and membership when it opens. Ask for a new ticket for every (re)connection.',
        responses: { 201: jsonResponse(streamTicketSchema, 'The ticket'), ...errorResponses },
      }),
      handler: (c) => {
        const workspace = workspaceOf(c);
        const { ticket, expiresAt } = streamTickets.issue(authOf(c).apiKeyId, workspace.id);
        return c.json(
          {
            ticket,
            expires_at: expiresAt.toISOString(),
            stream_url: `/api/events/stream?ticket=${encodeURIComponent(ticket)}`,
          },
          201,
        );
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'viewer', streamTicket: true },
      route: createRoute({
        method: 'get',
        path: '/stream',
        tags,
        summary: 'Live events of the workspace (Server-Sent Events, resumable with Last-Event-ID)',
        description:
          'Each message has `id:` (the event id), `event:` (the type) and `data:` (the event JSON, as in GET ' +
          '/api/events). Send `Last-Event-ID` (or `?last_event_id=`) to receive every later event exactly once, ' +
          'in id order, before live ones; without it the stream starts with events committed from now on. ' +
          'A comment line arrives every heartbeat interval (MASKIN_SSE_HEARTBEAT_MS, 15 s by default). A client that falls too far behind is closed with a `retry:` hint ' +
          'and should reconnect with its last id. 429 when the actor already holds the maximum of open streams. ' +
          'Browsers (EventSource) authenticate with `?ticket=` from POST /api/events/stream-tickets instead of headers.',
        request: { query: eventStreamQuery, headers: eventStreamHeaders },
        responses: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: z.string().openapi({ format: 'event-stream' }) } },
          },
          ...errorResponses,
          429: jsonResponse(
            z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
            'Too many open streams for this actor (RATE_LIMITED)',
          ),
          503: { description: 'The server is shutting down (UNAVAILABLE); retry' },
        },
      }),
      handler: (c) => {
        const query = c.req.valid('query');
        const afterId = resumeId(c.req.valid('header')['last-event-id'], query.last_event_id);
        if (afterId !== undefined && !Number.isSafeInteger(afterId)) {
          throw new ApiError(400, 'VALIDATION_ERROR', 'Last-Event-ID must be an event id');
        }
        return openSseStream(c, {
          hub: eventStream,
          quota: streamQuota,
          owner: {
            apiKeyId: authOf(c).apiKeyId,
            actorId: authOf(c).actor.id,
            workspaceId: workspaceOf(c).id,
            personId: authOf(c).personId,
          },
          scope: workspaceOf(c).id,
          afterId,
          filter: filterOf(query),
          maxBufferedBytes: config.sseMaxBufferedBytes,
        });
      },
    }),
  ];
}
