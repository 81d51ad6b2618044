/**
 * streamsRef: an extension serves a Server-Sent Events stream over its own rows (a
 * session's log lines, an import's progress) with everything the kernel's event stream
 * has: the per-actor quota shared with it, authorization re-checked while the stream is
 * open, a heartbeat, `Last-Event-ID` replay with no gap and no duplicate, stream
 * tickets for browsers, and a `retry:` hint when the server drains.
 *
 * The extension describes its rows once (a StreamSource) and gets a handle:
 *
 * ```ts
 * deps: { db: dbRef, streams: streamsRef },
 * setup({ deps }) {
 *   const lines = deps.streams.createStream({
 *     name: 'lines',
 *     counterTable: 'session_log_counters',   // (scope text primary key, last_id bigint not null)
 *     readAfter: (scope, afterId, limit) => readLines(deps.db.db, scope, afterId, limit),
 *     idOf: (line) => line.id,
 *     eventOf: () => 'session.log',
 *     dataOf: (line) => ({ id: line.id, text: line.text }),
 *   });
 *   // writing: take the id in the same transaction as the row
 *   await deps.db.db.transaction(async (tx) => {
 *     const id = await lines.nextId(tx, scope);
 *     await tx.insert(sessionLogLines).values({ scope, id, text });
 *   });
 *   // serving, from a GET route with access { auth: 'workspace', role: 'viewer', streamTicket: true }:
 *   handler: async (c) => lines.respond(c, { scope: `${workspaceOf(c).id}/${c.req.valid('param').id}` }),
 * }
 * ```
 *
 * Why ids come from a counter row: the stream resumes from "every id above the last one
 * you saw", which is only sound if ids become visible in commit order within a scope.
 * A sequence or bigserial does not give that (ids are taken at insert time and become
 * visible at commit time, so id 7 can commit after id 8 was streamed and be skipped
 * forever). `nextId` increments the scope's row in the counter table; that row stays
 * locked until the transaction commits, so the next writer of the scope waits and takes
 * the next id: commit order and id order agree, the same argument as the event log
 * (kernel/events/record-event.ts). It also announces the id on commit (NOTIFY, dropped
 * on rollback), which is what wakes the open streams. So: take the id as the last
 * statement of the transaction (writers of one scope serialise from there to commit),
 * and never write stream rows with an id `nextId` did not give.
 *
 * A scope is the extension's own key for one stream (a session id, a workspace id).
 * The kernel checks the caller's key and membership of the request's workspace, not
 * the scope: the route must only build scopes inside `workspaceOf(c)` (putting the
 * workspace id in the scope, as above, makes that hard to get wrong).
 */

import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Db } from '../db/database.ts';
import type { KernelEnv } from './context.ts';
import { createServiceRef } from './refs.ts';

export interface StreamSource<Row, Filter = never> {
  /** Names the stream within the extension: lowercase letters, digits and `_`. */
  readonly name: string;
  /**
   * The extension's counter table (`scope text primary key, last_id bigint not null`),
   * optionally schema-qualified. `nextId` increments it; its `last_id` is the latest
   * committed id of the scope.
   */
  readonly counterTable: string;
  /** Rows of the scope with id > afterId in ascending id order, at most `limit`, matching `filter` if given. */
  readAfter(scope: string, afterId: number, limit: number, filter?: Filter): Promise<Row[]>;
  idOf(row: Row): number;
  /** The SSE `event:` name of a row (line breaks are replaced). */
  eventOf(row: Row): string;
  /** The SSE `data:` of a row, sent as JSON. */
  dataOf(row: Row): unknown;
  /** Whether a live row passes a client's filter; required when streams are opened with one. */
  matches?(row: Row, filter: Filter): boolean;
}

export interface StreamRespondOptions<Filter> {
  /** The stream to follow; must belong to the request's workspace (see the module comment). */
  scope: string;
  filter?: Filter;
}

export interface ExtensionStream<Filter = never> {
  /** The NOTIFY channel, derived from the extension id and the stream name. */
  readonly channel: string;
  /**
   * Takes the next id of `scope` inside `tx` and announces it when `tx` commits. Call it
   * last in the transaction that writes the row with this id.
   */
  nextId(tx: Db, scope: string): Promise<number>;
  /**
   * Serves the stream to the caller of a GET route: quota, resume from `Last-Event-ID`
   * (or `?last_event_id=`), replay, live, heartbeat, guard, drain. Throws 400 for a bad
   * resume id, 429 over the quota, 503 while the server drains.
   */
  respond(c: Context<KernelEnv, any, any>, options: StreamRespondOptions<Filter>): Promise<Response>;
}

export interface ExtensionStreams {
  /** Declares a stream; call it in setup. Names are unique per extension. */
  createStream<Row, Filter = never>(source: StreamSource<Row, Filter>): ExtensionStream<Filter>;
}

export const streamsRef = createServiceRef<ExtensionStreams>({ id: 'kernel.streams', owner: 'kernel' });

/** `request` of a stream route's createRoute: the resume id and the browser ticket, for OpenAPI. */
export const streamRequest = {
  query: z.object({
    last_event_id: z
      .string()
      .regex(/^\d{1,15}$/, 'must be a stream id')
      .optional()
      .openapi({ description: 'Resume after this id, for clients that cannot send Last-Event-ID' }),
    ticket: z.string().max(1000).optional().openapi({
      description:
        'A ticket from POST /api/events/stream-tickets, in place of the Authorization and X-Workspace-Id headers',
    }),
  }),
  headers: z.object({
    'last-event-id': z
      .string()
      .regex(/^\d{0,15}$/, 'must be a stream id')
      .optional()
      .openapi({ description: 'Last-Event-ID: resume after this id' }),
  }),
};

/** `responses` of a stream route's createRoute (merge with errorResponses). */
export const streamResponses = {
  200: {
    description: 'A Server-Sent Events stream, resumable with Last-Event-ID',
    content: { 'text/event-stream': { schema: z.string().openapi({ format: 'event-stream' }) } },
  },
  429: { description: 'Too many open streams for this actor (RATE_LIMITED)' },
  503: { description: 'The server is shutting down (UNAVAILABLE); retry' },
} as const;
