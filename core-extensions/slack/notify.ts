/**
 * Slack as a notification channel (notifications' `notificationChannelsPoint`): a
 * person who turned `slack` on for a type gets such notifications as a direct message
 * from the workspace's connected Slack app.
 *
 * - In the creating transaction (`deliver`): nothing but an enqueued `notify` job,
 *   keyed by the notification, and only where slack is enabled and connected. A
 *   rolled-back request sends nothing; a workspace without Slack gets no job.
 * - In the job: the bot token from integrations (`freshAccessToken`), the person's
 *   Slack user found by their Maskin email (`users.lookupByEmail`: nobody has to copy
 *   a Slack member id into Maskin; it needs the users:read.email scope), then
 *   `chat.postMessage` to that user id (Slack opens the app's DM). Slack's
 *   `{ ok: false, error }` (or an HTTP error) throws: the job is retried with back-off
 *   and, after its attempts, is `failed` with Slack's error (event `job.failed`); it
 *   is never dropped silently. Jobs are at least once: a process that dies between
 *   posting and finishing posts again on retry (Slack has no idempotency key).
 * - The connection is read when the job runs: disconnected meanwhile, nothing is sent.
 */
import type { Db, ExtensionEvents, ExtensionJobs, JobContext } from '@maskin/contract';
import type { IntegrationsService } from '../integrations/api.ts';
import type { NotificationChannel, NotificationJson } from '../notifications/api.ts';

export const NOTIFY_QUEUE = 'notify';
export const NOTIFY_EVENT_TYPES = ['slack.notification.posted'] as const;

interface NotifyPayload {
  notification: Pick<NotificationJson, 'id' | 'type' | 'title' | 'content' | 'metadata'>;
  email: string;
}

/** The channel notifications calls in its transaction (registered in slack's register phase). */
export function slackNotificationChannel(options: {
  jobs: ExtensionJobs;
  isEnabled(workspaceId: string): Promise<boolean>;
  /** Set once slack's setup ran (register comes first). */
  integrations(): IntegrationsService | undefined;
}): NotificationChannel {
  return {
    name: 'slack',
    async deliver(tx, workspaceId, notification, recipient) {
      const integrations = options.integrations();
      if (!integrations || !recipient.email || !(await options.isEnabled(workspaceId))) return false;
      // In tx: with one connection (PGlite) a query beside the transaction would wait for it.
      if (!(await integrations.connectionOf(workspaceId, 'slack', tx))) return false;
      await options.jobs.enqueue<NotifyPayload>(tx, {
        queue: NOTIFY_QUEUE,
        workspaceId,
        payload: { notification: pick(notification), email: recipient.email },
        singletonKey: notification.id,
        maxAttempts: 5,
        retryDelayMs: 5_000,
      });
      return true;
    },
  };
}

/** The job that posts: registered in slack's setup, where integrations arrives. */
export function workSlackNotifications(deps: {
  db: Db;
  jobs: ExtensionJobs;
  events: ExtensionEvents<(typeof NOTIFY_EVENT_TYPES)[number]>;
  integrations: IntegrationsService;
  apiUrl: string;
}) {
  const call = async (token: string, method: string, init: RequestInit, signal: AbortSignal) => {
    const response = await fetch(`${deps.apiUrl}/${method}`, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${token}` },
      signal,
    });
    if (!response.ok) throw new Error(`Slack ${method}: HTTP ${response.status}`);
    const answer = (await response.json()) as { ok?: boolean; error?: string } & Record<string, unknown>;
    if (answer.ok !== true) throw new Error(`Slack ${method}: ${answer.error ?? 'not ok'}`);
    return answer;
  };

  deps.jobs.work<NotifyPayload>(
    NOTIFY_QUEUE,
    async (job: JobContext<NotifyPayload>) => {
      const workspaceId = job.workspaceId!;
      const connection = await deps.integrations.connectionOf(workspaceId, 'slack');
      if (!connection) return; // disconnected since: nobody to send as
      const token = await deps.integrations.freshAccessToken(workspaceId, connection.id);
      if (!token) throw new Error('Slack is connected but has no usable access token; reconnect it');
      const found = await call(
        token,
        `users.lookupByEmail?${new URLSearchParams({ email: job.payload.email })}`,
        { method: 'GET' },
        job.signal,
      );
      const userId = (found.user as { id?: unknown } | undefined)?.id;
      if (typeof userId !== 'string') throw new Error('Slack users.lookupByEmail: no user id in the answer');
      const { notification } = job.payload;
      const posted = await call(
        token,
        'chat.postMessage',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ channel: userId, text: renderMessage(notification), unfurl_links: false }),
        },
        job.signal,
      );
      await deps.db.transaction((tx) =>
        deps.events.record(tx, {
          workspaceId,
          actorId: null,
          type: 'slack.notification.posted',
          entityType: 'notification',
          entityId: notification.id,
          data: { slack_user_id: userId, channel: posted.channel ?? null, ts: posted.ts ?? null },
        }),
      );
    },
    { concurrency: 2 },
  );
}

function pick(notification: NotificationJson): NotifyPayload['notification'] {
  const { id, type, title, content, metadata } = notification;
  return { id, type, title, content, metadata };
}

/** Plain text (Slack renders it as mrkdwn): the title, the content, the options of a question. */
export function renderMessage(notification: NotifyPayload['notification']): string {
  const lines = [`*${notification.title}*`];
  if (notification.content) lines.push('', notification.content);
  const options = notification.metadata.options as { label: string }[] | undefined;
  if (Array.isArray(options)) lines.push('', ...options.map((option) => `• ${option.label}`));
  const kind = notification.type.replace('_', ' ');
  lines.push('', `_${kind} in Maskin (notification ${notification.id}); answer it there_`);
  return lines.join('\n');
}
