/**
 * Digests over HTTP (and MCP): list and read them, ask for one now, follow compile
 * progress. POST /digests enqueues the compile job in the request's transaction, with
 * its `daily_digest.requested` event, so a refused or rolled-back request runs nothing.
 */
import {
  authOf,
  createRoute,
  type Db,
  decodeTimeIdCursor,
  defineRoute,
  type ExtensionEvents,
  type ExtensionJobs,
  type ExtensionSecretSettings,
  errorResponses,
  extensionError,
  jsonResponse,
  notFound,
  orm,
  pageOf,
  pageQuery,
  streamRequest,
  streamResponses,
  toPage,
  workspaceOf,
} from '@maskin/contract';
import { type DailyDigestSecrets, errors, type eventTypes } from '../manifest.ts';
import type { Progress } from '../progress.ts';
import { COMPILE_QUEUE, type CompilePayload } from '../schedule.ts';
import { type DigestRow, digests, items } from '../tables.ts';
import { compileAcceptedSchema, digestDetailSchema, digestIdParam, digestSchema } from './schemas.ts';

const { and, count, desc, eq, isNull, lt, or } = orm;
const tags = ['Daily digest'];

export const toDigestJson = (row: DigestRow) => ({
  id: row.id,
  job_id: row.jobId,
  item_count: row.itemCount,
  recipient_count: row.recipients.length,
  recipients: row.recipients,
  insight_id: row.insightId,
  delivered_at: row.deliveredAt?.toISOString() ?? null,
  acknowledged_at: row.acknowledgedAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
});

export function digestRoutes(deps: {
  db: Db;
  jobs: ExtensionJobs;
  secrets: ExtensionSecretSettings;
  events: ExtensionEvents<(typeof eventTypes)[number]>;
  progress: Progress;
}) {
  const { db } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_digests',
        description:
          'Lists the daily digests of the current workspace, newest first, with how many object changes each carried, its recipients, and whether it was delivered and acknowledged.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/digests',
        tags,
        summary: 'List digests, newest first',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(digestSchema), 'Digests'), ...errorResponses },
      }),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid('query');
        const conditions = [eq(digests.workspaceId, workspaceOf(c).id)];
        if (cursor) {
          const { at, id } = decodeTimeIdCursor(cursor);
          conditions.push(or(lt(digests.createdAt, at), and(eq(digests.createdAt, at), lt(digests.id, id)))!);
        }
        const rows = await db
          .select()
          .from(digests)
          .where(and(...conditions))
          .orderBy(desc(digests.createdAt), desc(digests.id))
          .limit(limit + 1);
        return c.json(
          toPage(rows, limit, toDigestJson, (row) => [row.createdAt.toISOString(), row.id]),
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/digests/{id}',
        tags,
        summary: 'Get a digest with its items',
        description:
          'One digest of this workspace with the items it summarised (one line per change to an object in its period).',
        request: { params: digestIdParam },
        responses: { 200: jsonResponse(digestDetailSchema, 'The digest'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        const [row] = await db
          .select()
          .from(digests)
          .where(and(eq(digests.workspaceId, workspaceId), eq(digests.id, id)));
        if (!row) throw notFound(`Digest ${id} not found`);
        const rows = await db
          .select()
          .from(items)
          .where(and(eq(items.workspaceId, workspaceId), eq(items.digestId, id)))
          .orderBy(items.eventId);
        const itemsJson = rows.map((item) => ({
          event_id: item.eventId,
          event_type: item.eventType,
          object_id: item.objectId,
          summary: item.summary,
        }));
        return c.json({ ...toDigestJson(row), items: itemsJson }, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'compile_digest',
        description:
          "Compiles the workspace's daily digest now instead of waiting for its hour: collects the object changes not yet digested, posts them to the configured webhook and creates an insight summarising them. Returns the id of the background job.",
      },
      route: createRoute({
        method: 'post',
        path: '/digests',
        tags,
        summary: 'Compile and deliver a digest now (202: the job that does it)',
        responses: {
          202: jsonResponse(compileAcceptedSchema, 'The compile job was enqueued'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const secrets = await deps.secrets.get<DailyDigestSecrets>(workspaceId);
        const missing = (['webhook_url', 'signing_secret'] as const).filter((key) => !secrets[key]);
        if (missing.length > 0) {
          throw extensionError(
            { errors },
            'WEBHOOK_NOT_CONFIGURED',
            `Set the secrets ${missing.join(' and ')} first`,
          );
        }
        const accepted = await db.transaction(async (tx) => {
          const [pending] = await tx
            .select({ n: count() })
            .from(items)
            .where(and(eq(items.workspaceId, workspaceId), isNull(items.digestId)));
          const pendingItems = Number(pending?.n ?? 0);
          if (pendingItems === 0) {
            throw extensionError({ errors }, 'DIGEST_EMPTY', 'No object activity is waiting for a digest');
          }
          const job = await deps.jobs.enqueue<CompilePayload>(tx, {
            queue: COMPILE_QUEUE,
            workspaceId,
            payload: { kind: 'manual' },
            singletonKey: 'manual',
            maxAttempts: 5,
            retryDelayMs: 1_000,
          });
          await deps.events.record(tx, {
            workspaceId,
            actorId: authOf(c).actor.id,
            type: 'daily_digest.requested',
            entityType: 'job',
            entityId: job.id,
            data: { created: job.created, pending_items: pendingItems },
          });
          return { job_id: job.id, created: job.created, pending_items: pendingItems };
        });
        return c.json(accepted, 202);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer', streamTicket: true },
      route: createRoute({
        method: 'get',
        path: '/progress/stream',
        tags,
        summary: 'Follow compile progress (Server-Sent Events, resumable with Last-Event-ID)',
        description:
          'Server-Sent Events with the progress of digest compilations in this workspace (POST /digests starts one). Reconnect with Last-Event-ID to resume after the last message seen.',
        request: streamRequest,
        responses: { ...errorResponses, ...streamResponses },
      }),
      handler: (c) => deps.progress.stream.respond(c, { scope: workspaceOf(c).id }),
    }),
  ];
}
