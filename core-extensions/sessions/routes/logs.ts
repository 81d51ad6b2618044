/** A session's log: pages by line id, and a resumable SSE stream that ends with `done`. */
import {
  createRoute,
  type Db,
  decodeCursor,
  defineRoute,
  errorResponses,
  jsonResponse,
  notFound,
  orm,
  pageOf,
  pageQuery,
  streamRequest,
  streamResponses,
  toPage,
  workspaceOf,
  z,
} from '@maskin/contract';
import { logLineJson, type SessionLogs, scopeOf } from '../logs.ts';
import { logLines, sessions } from '../tables.ts';
import { logLineSchema, sessionIdParam } from './schemas.ts';

const { and, eq, gt, or } = orm;
const tags = ['Sessions'];
const streamFilter = z.enum(['stdout', 'stderr', 'system']).optional().openapi({
  description: 'Only this stream (the final done line is always included)',
});

export function logRoutes(deps: { db: Db; logs: SessionLogs }) {
  const { db } = deps;
  const assertSession = async (workspaceId: string, id: string) => {
    const [row] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)));
    if (!row) throw notFound(`Session ${id} not found`);
  };
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_session_logs',
        description:
          "Reads an agent session's output line by line (stdout, stderr and the system stream of lifecycle lines), oldest first; page on with next_cursor. The last line of an ended session has kind done.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}/logs',
        tags,
        summary: "A session's log lines, oldest first (keyset pages by line id)",
        request: { params: sessionIdParam, query: pageQuery.extend({ stream: streamFilter }) },
        responses: { 200: jsonResponse(pageOf(logLineSchema), 'Log lines'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        const { limit, cursor, stream } = c.req.valid('query');
        await assertSession(workspaceId, id);
        const after = cursor ? Number(decodeCursor(cursor, 1)[0]) : 0;
        const rows = await db
          .select()
          .from(logLines)
          .where(
            and(
              eq(logLines.scope, scopeOf(workspaceId, id)),
              gt(logLines.id, Number.isFinite(after) ? after : 0),
              stream ? or(eq(logLines.stream, stream), eq(logLines.kind, 'done')) : undefined,
            ),
          )
          .orderBy(logLines.id)
          .limit(limit + 1);
        return c.json(
          toPage(rows, limit, logLineJson, (row) => [row.id]),
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer', streamTicket: true },
      route: createRoute({
        method: 'get',
        path: '/{id}/logs/stream',
        tags,
        summary: "Follow a session's log (SSE, resumable with Last-Event-ID; ends with event done)",
        description:
          "Follows a session's log lines as Server-Sent Events: resumable with Last-Event-ID (or last_event_id) on any instance, and ends with a `done` event carrying the final status.",
        request: {
          params: sessionIdParam,
          query: streamRequest.query.extend({ stream: streamFilter }),
          headers: streamRequest.headers,
        },
        responses: { ...errorResponses, ...streamResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        await assertSession(workspaceId, id);
        const { stream } = c.req.valid('query');
        return deps.logs.stream.respond(c, {
          scope: scopeOf(workspaceId, id),
          filter: stream ? { stream } : undefined,
        });
      },
    }),
  ];
}
