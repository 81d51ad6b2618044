/**
 * The email channel. Only with MASKIN_EXT_NOTIFICATIONS_SMTP_URL set (nodemailer's
 * SMTP URL); otherwise nothing is enqueued or sent.
 *
 * - Immediate: creating a notification for a human whose preferences email its type
 *   enqueues an `email` job in the creating transaction (so a rolled-back request
 *   sends nothing), keyed by the notification. The job sends, then stamps
 *   `emailed_at` and records `notification.emailed`. Jobs are at least once: a
 *   process that dies between sending and stamping sends again on retry; the
 *   Message-ID is the notification's, so mail clients fold the duplicate.
 * - Digest: a daily schedule (08:00 UTC) enqueues a `digest` job per workspace that
 *   has unread notifications; each emails every member whose digest is daily the
 *   unread notifications created since their last digest (and not emailed already),
 *   then stamps `last_digest_at`. `POST /api/notifications/digest` (admin) runs the
 *   workspace's digest now.
 */
import {
  type Db,
  type ExtensionEvents,
  type ExtensionJobs,
  type ExtensionMembers,
  type JobContext,
  orm,
} from '@maskin/contract';
import nodemailer from 'nodemailer';
import type { eventTypes, NotificationsConfig } from './manifest.ts';
import { preferencesOf } from './preferences.ts';
import { type NotificationRow, notificationsTable as n, preferencesTable as p } from './tables.ts';

const { and, asc, eq, gt, isNull, sql } = orm;

export const EMAIL_QUEUE = 'email';
export const DIGEST_QUEUE = 'digest';

interface Deps {
  db: Db;
  jobs: ExtensionJobs;
  members: ExtensionMembers;
  events: ExtensionEvents<(typeof eventTypes)[number]>;
  config: NotificationsConfig;
}

export function createEmailChannel(deps: Deps) {
  const { db, jobs, members, events, config } = deps;
  const transport = config.smtp_url ? nodemailer.createTransport(config.smtp_url) : undefined;

  const addressOf = async (actorId: string, tx?: Db) => {
    const [actor] = await members.getActors([actorId], { viewerId: actorId, tx });
    return actor?.type === 'human' && actor.email ? actor.email : undefined;
  };

  /** In the creating transaction: enqueue the email if the target wants this type by email. */
  async function onCreated(tx: Db, row: NotificationRow) {
    if (!transport) return;
    const preferences = await preferencesOf(tx, row.workspaceId, row.targetActorId);
    if (!preferences.email_types.includes(row.type)) return;
    if (!(await addressOf(row.targetActorId, tx))) return;
    await jobs.enqueue(tx, {
      queue: EMAIL_QUEUE,
      workspaceId: row.workspaceId,
      payload: { notificationId: row.id },
      singletonKey: row.id,
      maxAttempts: 5,
      retryDelayMs: 5_000,
    });
  }

  async function sendOne(job: JobContext<{ notificationId: string }>) {
    if (!transport) return;
    const [row] = await db
      .select()
      .from(n)
      .where(and(eq(n.workspaceId, job.workspaceId!), eq(n.id, job.payload.notificationId)));
    if (!row || row.emailedAt) return;
    const to = await addressOf(row.targetActorId);
    if (!to) return;
    await transport.sendMail({
      from: config.email_from,
      to,
      subject: `[Maskin] ${row.title}`,
      text: renderOne(row),
      messageId: `<notification-${row.id}@maskin>`,
    });
    await db.transaction(async (tx) => {
      const stamped = await tx
        .update(n)
        .set({ emailedAt: sql`now()` })
        .where(and(eq(n.id, row.id), isNull(n.emailedAt)))
        .returning({ id: n.id });
      if (stamped.length === 0) return;
      await events.record(tx, {
        workspaceId: row.workspaceId,
        actorId: null,
        type: 'notification.emailed',
        entityType: 'notification',
        entityId: row.id,
        data: { target_actor_id: row.targetActorId },
      });
    });
  }

  /** The installation-wide slot: one digest job per workspace with unread notifications. */
  async function fanOutDigests() {
    const workspaces = await db
      .selectDistinct({ workspaceId: n.workspaceId })
      .from(n)
      .where(eq(n.status, 'pending'));
    await db.transaction(async (tx) => {
      for (const { workspaceId } of workspaces) await enqueueDigest(tx, workspaceId);
    });
  }

  function enqueueDigest(tx: Db, workspaceId: string) {
    return jobs.enqueue(tx, { queue: DIGEST_QUEUE, workspaceId, singletonKey: 'digest', maxAttempts: 3 });
  }

  async function sendDigests(workspaceId: string) {
    if (!transport) return;
    const recipients = await db
      .selectDistinct({ actorId: n.targetActorId })
      .from(n)
      .where(and(eq(n.workspaceId, workspaceId), eq(n.status, 'pending'), isNull(n.emailedAt)));
    for (const { actorId } of recipients) {
      const preferences = await preferencesOf(db, workspaceId, actorId);
      if (preferences.digest !== 'daily') continue;
      const to = await addressOf(actorId);
      if (!to) continue;
      const [state] = await db
        .select({ last: p.lastDigestAt })
        .from(p)
        .where(and(eq(p.workspaceId, workspaceId), eq(p.actorId, actorId)));
      const conditions = [
        eq(n.workspaceId, workspaceId),
        eq(n.targetActorId, actorId),
        eq(n.status, 'pending'),
        isNull(n.emailedAt),
      ];
      if (state?.last) conditions.push(gt(n.createdAt, state.last));
      const rows = await db
        .select()
        .from(n)
        .where(and(...conditions))
        .orderBy(asc(n.createdAt), asc(n.id))
        .limit(100);
      if (rows.length === 0) continue;
      await transport.sendMail({
        from: config.email_from,
        to,
        subject: `[Maskin] ${rows.length} unread notification${rows.length === 1 ? '' : 's'}`,
        text: rows.map(renderOne).join('\n\n---\n\n'),
      });
      await db.transaction(async (tx) => {
        const last = rows[rows.length - 1]!.createdAt;
        await tx
          .insert(p)
          .values({
            workspaceId,
            actorId,
            emailTypes: preferences.email_types,
            digest: preferences.digest,
            lastDigestAt: last,
            updatedAt: sql`now()`,
          })
          .onConflictDoUpdate({ target: [p.workspaceId, p.actorId], set: { lastDigestAt: last } });
        await events.record(tx, {
          workspaceId,
          actorId: null,
          type: 'notification.digest_emailed',
          entityType: 'actor',
          entityId: actorId,
          data: { count: rows.length, notification_ids: rows.map((row) => row.id) },
        });
      });
    }
  }

  function register() {
    jobs.work<{ notificationId: string }>(EMAIL_QUEUE, sendOne, { concurrency: 2 });
    jobs.work(DIGEST_QUEUE, async (job) => {
      if (job.workspaceId === null) await fanOutDigests();
      else await sendDigests(job.workspaceId);
    });
    jobs.schedule({ name: 'daily-digest', queue: DIGEST_QUEUE, cron: '0 0 8 * * *', timezone: 'UTC' });
  }

  return {
    onCreated,
    enqueueDigest,
    register,
    enabled: transport !== undefined,
    close: () => transport?.close(),
  };
}

function renderOne(row: NotificationRow): string {
  const lines = [row.title];
  if (row.content) lines.push('', row.content);
  const options = row.metadata.options as { value: string; label: string }[] | undefined;
  if (options) lines.push('', ...options.map((option) => `- ${option.label}`));
  lines.push('', `(${row.type.replace('_', ' ')}; notification ${row.id})`);
  return lines.join('\n');
}
