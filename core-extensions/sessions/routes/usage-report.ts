/**
 * Usage reported by the agent itself: runtimes other than Claude Code (whose
 * stream-json output the runner parses) report tokens and cost through the API with
 * their session key. Only the session's own agent may report, and only while the
 * session runs; each report is an increment, recorded like parsed usage, so usage
 * buckets and budgets count it (a budget crossed stops the session on its next
 * control tick).
 */
import {
  authOf,
  createRoute,
  type Db,
  defineRoute,
  type ExtensionEvents,
  errorResponses,
  extensionError,
  forbidden,
  jsonBody,
  jsonResponse,
  notFound,
  orm,
  workspaceOf,
  z,
} from '@maskin/contract';
import { errors, type SessionEventType } from '../manifest.ts';
import { ACTIVE, sessionJson } from '../service.ts';
import { sessions } from '../tables.ts';
import { recordIncrement } from '../usage.ts';
import { sessionSchema } from './schemas.ts';

const { and, eq } = orm;

const count = () => z.number().int().min(0).max(1_000_000_000).default(0);
const reportSchema = z
  .object({
    input_tokens: count(),
    output_tokens: count(),
    cache_read_tokens: count(),
    cache_creation_tokens: count(),
    cost_usd: z.number().min(0).max(100_000).default(0),
    model: z.string().min(1).max(200).optional().openapi({ description: 'The model these tokens went to' }),
  })
  .strict()
  .openapi('SessionsUsageReport');

export function usageReportRoute(deps: {
  db: Db;
  events: ExtensionEvents<SessionEventType>;
  /** Stops what a crossed budget no longer allows (the runner's check after parsed usage). */
  enforceBudgets(workspaceId: string, actorId: string): Promise<void>;
}) {
  return defineRoute({
    access: { auth: 'workspace', role: 'member' },
    tool: {
      name: 'report_session_usage',
      description:
        "Reports tokens and cost your own running session used since your last report (increments, not totals), for agent runtimes whose output the server does not parse. Only the session's agent may report, while it runs. Counts toward usage and budgets.",
    },
    route: createRoute({
      method: 'post',
      path: '/{id}/usage',
      tags: ['Sessions'],
      summary: 'Report usage of your own running session (increments)',
      request: { params: z.object({ id: z.string().uuid() }), body: jsonBody(reportSchema) },
      responses: { 200: jsonResponse(sessionSchema, 'The session with its new totals'), ...errorResponses },
    }),
    handler: async (c) => {
      const workspaceId = workspaceOf(c).id;
      const actorId = authOf(c).actor.id;
      const { id } = c.req.valid('param');
      const report = c.req.valid('json');
      const updated = await deps.db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(sessions)
          .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)))
          .for('update');
        if (!row) throw notFound(`Session ${id} not found`);
        if (row.actorId !== actorId) throw forbidden("Only the session's own agent reports its usage");
        if (!ACTIVE.includes(row.status)) {
          throw extensionError(
            { errors },
            'SESSIONS_INVALID_STATE',
            `Session ${id} is ${row.status}, not running`,
          );
        }
        const delta = {
          inputTokens: report.input_tokens,
          outputTokens: report.output_tokens,
          cacheReadTokens: report.cache_read_tokens,
          cacheCreationTokens: report.cache_creation_tokens,
          costUsd: report.cost_usd,
        };
        await recordIncrement(tx, row, delta, report.model ?? null);
        await deps.events.record(tx, {
          workspaceId,
          actorId,
          type: 'session.usage_reported',
          entityType: 'session',
          entityId: id,
          data: { ...report },
        });
        const [after] = await tx.select().from(sessions).where(eq(sessions.id, id));
        return after!;
      });
      await deps.enforceBudgets(workspaceId, actorId);
      return c.json(sessionJson(updated), 200);
    },
  });
}
