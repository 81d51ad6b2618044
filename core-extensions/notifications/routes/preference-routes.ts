/** Delivery preferences (the caller's own) and running a workspace's digest now (admin). */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  type ExtensionEvents,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  z,
} from '@maskin/contract';
import { errors, type eventTypes } from '../manifest.ts';
import { preferencesOf, updatePreferences } from '../preferences.ts';
import { preferencesSchema, preferencesUpdateSchema } from './schemas.ts';

const tags = ['Notifications'];

export function preferenceRoutes(deps: {
  db: Db;
  events: ExtensionEvents<(typeof eventTypes)[number]>;
  email: { enabled: boolean; enqueueDigest(tx: Db, workspaceId: string): Promise<{ id: string }> };
  /** The channels registered now (notificationChannelsPoint), for checking `channels`. */
  channelNames(): string[];
}) {
  const { db } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      route: createRoute({
        method: 'get',
        path: '/preferences',
        tags,
        summary: 'Your delivery preferences in this workspace',
        description:
          'Your notification delivery preferences in this workspace: which types are emailed at once, whether you get a daily digest, and which types go to each installed channel (such as slack).',
        responses: {
          200: jsonResponse(preferencesSchema, 'Preferences (defaults when never set)'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        return c.json(
          (await preferencesOf(db, scope.workspaceId, scope.actorId)) as z.infer<typeof preferencesSchema>,
          200,
        );
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'set_notification_preferences',
        description:
          'Sets how you are told of notifications in this workspace: email_types (types emailed at once), digest (daily or off), and channels (per installed channel such as slack, the types sent there at once; a channel you name replaces its list).',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'patch',
        path: '/preferences',
        tags,
        summary: 'Change your delivery preferences',
        request: { body: jsonBody(preferencesUpdateSchema) },
        responses: { 200: jsonResponse(preferencesSchema, 'The preferences now'), ...errorResponses },
      }),
      handler: async (c) => {
        const patch = c.req.valid('json');
        const next = await db.transaction((tx) =>
          updatePreferences(tx, deps.events, callerScope(c), patch, deps.channelNames()),
        );
        return c.json(next as z.infer<typeof preferencesSchema>, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'post',
        path: '/digest',
        tags,
        summary: "Email this workspace's digest now (admin; 202: the job that does it)",
        description:
          'Sends the daily digest of unread notifications now, to everyone in this workspace who asked for one (admin).',
        responses: {
          202: jsonResponse(
            z.object({ job_id: z.string().uuid() }).openapi('NotificationsDigestJob'),
            'Enqueued',
          ),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        if (!deps.email.enabled) {
          throw extensionError(
            { errors },
            'EMAIL_NOT_CONFIGURED',
            'Set MASKIN_EXT_NOTIFICATIONS_SMTP_URL to send email',
          );
        }
        const { workspaceId, actorId } = callerScope(c);
        const job = await db.transaction(async (tx) => {
          const enqueued = await deps.email.enqueueDigest(tx, workspaceId);
          await deps.events.record(tx, {
            workspaceId,
            actorId,
            type: 'notification.digest_requested',
            entityType: 'workspace',
            entityId: workspaceId,
            data: { job_id: enqueued.id },
          });
          return enqueued;
        });
        return c.json({ job_id: job.id }, 202);
      },
    }),
  ];
}
