/**
 * Usage: tokens and cost of the workspace's sessions, summed per time bucket (hour, day
 * or month, UTC) and per agent or model, over a time range. Buckets are computed from
 * the recorded increments (sessions_usage) with date_trunc, so they add up to the
 * sessions' own totals exactly.
 */
import {
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonResponse,
  orm,
  storableTimeSchema,
  validationError,
  workspaceOf,
  z,
} from '@maskin/contract';
import { usage } from '../tables.ts';
import { usageBucketSchema } from './schemas.ts';

const { and, eq, gte, lt, sql } = orm;

const usageQuery = z.object({
  from: storableTimeSchema()
    .optional()
    .openapi({ description: 'Start (inclusive, ISO time); default 30 days ago' }),
  to: storableTimeSchema().optional().openapi({ description: 'End (exclusive, ISO time); default now' }),
  bucket: z.enum(['hour', 'day', 'month']).default('day'),
  group_by: z.enum(['agent', 'model']).default('agent'),
});

const usageSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: z.enum(['hour', 'day', 'month']),
    group_by: z.enum(['agent', 'model']),
    items: z.array(usageBucketSchema),
    totals: usageBucketSchema.omit({ bucket_start: true, key: true }),
  })
  .openapi('SessionsUsage');

export function usageRoutes(deps: { db: Db }) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_session_usage',
        description:
          "Sums the tokens (input, output, cache) and cost in USD of the workspace's agent sessions per hour, day or month, grouped by agent or model, for a time range.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/usage',
        tags: ['Sessions'],
        summary: 'Token and cost usage, bucketed by hour/day/month and grouped by agent or model',
        request: { query: usageQuery },
        responses: { 200: jsonResponse(usageSchema, 'Usage'), ...errorResponses },
      }),
      handler: async (c) => {
        const query = c.req.valid('query');
        const to = query.to ? new Date(query.to) : new Date();
        const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 24 * 3600_000);
        if (from.getTime() >= to.getTime()) {
          throw validationError('from must be before to', [{ path: 'from', message: 'not before to' }]);
        }
        const bucketStart = sql<string>`to_char(date_trunc(${query.bucket}, ${usage.recordedAt}, 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
        const key =
          query.group_by === 'agent'
            ? sql<string | null>`${usage.actorId}::text`
            : sql<string | null>`${usage.model}`;
        const sums = {
          input_tokens: sql<string>`sum(${usage.inputTokens})`,
          output_tokens: sql<string>`sum(${usage.outputTokens})`,
          cache_read_tokens: sql<string>`sum(${usage.cacheReadTokens})`,
          cache_creation_tokens: sql<string>`sum(${usage.cacheCreationTokens})`,
          cost_usd: sql<string>`sum(${usage.costUsd})`,
        };
        const rows = await deps.db
          .select({ bucket_start: bucketStart, key, ...sums })
          .from(usage)
          .where(
            and(
              eq(usage.workspaceId, workspaceOf(c).id),
              gte(usage.recordedAt, from),
              lt(usage.recordedAt, to),
            ),
          )
          .groupBy(sql`1`, sql`2`)
          .orderBy(sql`1`, sql`2`);
        const items = rows.map((row) => ({
          bucket_start: row.bucket_start,
          key: row.key,
          input_tokens: Number(row.input_tokens),
          output_tokens: Number(row.output_tokens),
          cache_read_tokens: Number(row.cache_read_tokens),
          cache_creation_tokens: Number(row.cache_creation_tokens),
          cost_usd: Number(row.cost_usd),
        }));
        const totals = {
          input_tokens: 0,
          output_tokens: 0,
          cache_read_tokens: 0,
          cache_creation_tokens: 0,
          cost_usd: 0,
        };
        for (const item of items) {
          totals.input_tokens += item.input_tokens;
          totals.output_tokens += item.output_tokens;
          totals.cache_read_tokens += item.cache_read_tokens;
          totals.cache_creation_tokens += item.cache_creation_tokens;
          totals.cost_usd += item.cost_usd;
        }
        totals.cost_usd = Math.round(totals.cost_usd * 1e6) / 1e6;
        return c.json(
          {
            from: from.toISOString(),
            to: to.toISOString(),
            bucket: query.bucket,
            group_by: query.group_by,
            items,
            totals,
          },
          200,
        );
      },
    }),
  ];
}
