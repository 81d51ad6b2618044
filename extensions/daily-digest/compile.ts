/**
 * The compile job: collect what waits, write the digest, link it to its objects,
 * summarise it as an insight (acting as the workspace owner), deliver it to the
 * webhook.
 *
 * Jobs run at least once, so every step is keyed so that a retry resumes instead of
 * repeating: the digest is found by its job id (unique), the insight step runs only
 * while `insight_id` is null, delivery only while `delivered_at` is null, and the
 * `delivered` event is recorded by the one transaction that sets `delivered_at`. The
 * webhook may therefore see a digest twice (a crash between its 2xx and our commit):
 * receivers dedupe by `digest_id`, which is also the X-Daily-Digest-Id header.
 * A retry after the insight was created but before its id was stored creates a
 * second insight; that window is one request wide and is accepted. The insight
 * carries `metadata.daily_digest_id`, so its own events are never collected.
 *
 * Items are claimed with FOR UPDATE SKIP LOCKED, so two compiles of one workspace
 * (a manual and a scheduled one on two instances) take disjoint items.
 */
import type {
  Db,
  ExtensionActAs,
  ExtensionEvents,
  ExtensionJobs,
  ExtensionMembers,
  ExtensionSecretSettings,
  JobContext,
} from '@maskin/contract';
import { orm } from '@maskin/contract';
import type { ObjectLinks } from '../../core-extensions/objects/api.ts';
import { INSIGHT_MARKER, PENDING_LINK } from './collect.ts';
import type { DailyDigestSecrets, DailyDigestSettings, eventTypes } from './manifest.ts';
import type { Progress } from './progress.ts';
import { type CompilePayload, scheduleNext } from './schedule.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';
import { type DigestRow, digests, items, type Recipient } from './tables.ts';

const { and, eq, inArray, isNull } = orm;

export interface CompileDeps {
  db: Db;
  jobs: ExtensionJobs;
  links: ObjectLinks;
  members: ExtensionMembers;
  actAs: ExtensionActAs;
  secrets: ExtensionSecretSettings;
  events: ExtensionEvents<(typeof eventTypes)[number]>;
  progress: Progress;
  maxItems: number;
  settings(workspaceId: string): Promise<DailyDigestSettings>;
  warn(message: string, details: Record<string, unknown>): void;
}

export async function listRecipients(members: ExtensionMembers, workspaceId: string, tx: Db) {
  const recipients: Recipient[] = [];
  let cursor: string | undefined;
  do {
    const page = await members.listMembers(workspaceId, { limit: 200, cursor, tx });
    for (const m of page.items) recipients.push({ id: m.actor_id, name: m.actor.name, role: m.role });
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return recipients;
}

export async function runCompile(deps: CompileDeps, job: JobContext<CompilePayload>): Promise<void> {
  const workspaceId = job.workspaceId;
  if (!workspaceId) return;
  if (job.payload.kind === 'scheduled') {
    const settings = await deps.settings(workspaceId);
    const slot = job.payload.slot ? new Date(job.payload.slot).getTime() : 0;
    const after = new Date(Math.max(Date.now(), Number.isNaN(slot) ? 0 : slot));
    await deps.db.transaction((tx) =>
      scheduleNext(tx, deps.jobs, { workspaceId, settings, after, runningJobId: job.id }),
    );
  }
  await job.reportProgress({ phase: 'collecting' });
  await deps.progress.write(workspaceId, job.id, 'Collecting object activity');
  const digest = await findOrCompile(deps, workspaceId, job.id);
  if (!digest) {
    await deps.progress.write(workspaceId, job.id, 'Nothing to digest');
    return;
  }
  await job.reportProgress({ phase: 'compiled', digest_id: digest.id, item_count: digest.itemCount });
  if (!digest.insightId) await summarise(deps, digest);
  if (!digest.deliveredAt) await deliver(deps, digest, job.signal);
}

async function findOrCompile(deps: CompileDeps, workspaceId: string, jobId: string) {
  const { links } = deps;
  return deps.db.transaction(async (tx): Promise<DigestRow | undefined> => {
    const [existing] = await tx
      .select()
      .from(digests)
      .where(and(eq(digests.workspaceId, workspaceId), eq(digests.jobId, jobId)));
    if (existing) return existing;
    const pending = and(eq(items.workspaceId, workspaceId), isNull(items.digestId));
    const claimed = await tx
      .select()
      .from(items)
      .where(pending)
      .orderBy(items.eventId)
      .limit(deps.maxItems)
      .for('update', { skipLocked: true });
    if (claimed.length === 0) return undefined;
    const recipients = await listRecipients(deps.members, workspaceId, tx);
    const [digest] = await tx
      .insert(digests)
      .values({ workspaceId, jobId, itemCount: claimed.length, recipients })
      .returning();
    const row = digest!;
    await tx
      .update(items)
      .set({ digestId: row.id })
      .where(
        inArray(
          items.id,
          claimed.map((item) => item.id),
        ),
      );
    const objectIds = [...new Set(claimed.map((item) => item.objectId))];
    const stillPending = new Set(
      (
        await tx
          .selectDistinct({ objectId: items.objectId })
          .from(items)
          .where(and(pending, inArray(items.objectId, objectIds)))
      ).map((r) => r.objectId),
    );
    for (const objectId of objectIds) {
      await links.link(tx, { workspaceId, objectId, recordType: 'digest', recordId: row.id, actorId: null });
      if (!stillPending.has(objectId)) {
        await links.unlink(tx, { workspaceId, objectId, ...PENDING_LINK, actorId: null });
      }
    }
    await deps.events.record(tx, {
      workspaceId,
      actorId: null,
      type: 'daily_digest.compiled',
      entityType: 'daily_digest',
      entityId: row.id,
      data: {
        item_count: claimed.length,
        object_count: objectIds.length,
        recipient_count: recipients.length,
      },
    });
    await deps.progress.writeIn(
      tx,
      workspaceId,
      jobId,
      `Compiled ${claimed.length} items for ${recipients.length} members`,
    );
    return row;
  });
}

/** The insight about the digest, created through the composed API as the workspace owner. */
async function summarise(deps: CompileDeps, digest: DigestRow) {
  const { workspaceId } = digest;
  const owner = digest.recipients.find((r) => r.role === 'owner');
  if (!owner) return;
  const lines = await deps.db
    .select({ summary: items.summary })
    .from(items)
    .where(and(eq(items.workspaceId, workspaceId), eq(items.digestId, digest.id)))
    .orderBy(items.eventId);
  const created = await deps.actAs.call({
    actorId: owner.id,
    workspaceId,
    method: 'POST',
    path: '/api/objects',
    body: {
      type: 'insight',
      title: `Daily digest: ${digest.itemCount} changes`,
      content: lines.map((l) => `- ${l.summary}`).join('\n'),
      metadata: { [INSIGHT_MARKER]: digest.id },
    },
  });
  const insightId = (created.body as { id?: string } | null)?.id;
  if (created.status !== 201 || !insightId) {
    deps.warn('daily-digest: could not create the insight', { digest_id: digest.id, status: created.status });
    return;
  }
  await deps.db.transaction(async (tx) => {
    await tx
      .update(digests)
      .set({ insightId })
      .where(and(eq(digests.workspaceId, workspaceId), eq(digests.id, digest.id)));
    await deps.events.record(tx, {
      workspaceId,
      actorId: owner.id,
      type: 'daily_digest.summarised',
      entityType: 'daily_digest',
      entityId: digest.id,
      data: { insight_id: insightId },
    });
    await deps.progress.writeIn(tx, workspaceId, digest.jobId, `Summarised as insight ${insightId}`);
  });
}

async function deliver(deps: CompileDeps, digest: DigestRow, signal: AbortSignal) {
  const { workspaceId } = digest;
  const secrets = await deps.secrets.get<DailyDigestSecrets>(workspaceId);
  if (!secrets.webhook_url || !secrets.signing_secret) {
    await deps.progress.write(workspaceId, digest.jobId, 'Webhook not configured: digest not delivered');
    return;
  }
  const digestItems = await deps.db
    .select()
    .from(items)
    .where(and(eq(items.workspaceId, workspaceId), eq(items.digestId, digest.id)))
    .orderBy(items.eventId);
  const body = JSON.stringify({
    digest_id: digest.id,
    workspace_id: workspaceId,
    created_at: digest.createdAt.toISOString(),
    recipients: { count: digest.recipients.length, members: digest.recipients },
    items: digestItems.map((item) => ({
      event_id: item.eventId,
      event_type: item.eventType,
      object_id: item.objectId,
      summary: item.summary,
    })),
  });
  let status: number;
  try {
    const response = await fetch(secrets.webhook_url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-daily-digest-id': digest.id,
        [SIGNATURE_HEADER]: sign(secrets.signing_secret, body),
      },
      body,
      signal,
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    // Never the URL: it is a secret, and this message is stored as the job's last error.
    throw new Error(`daily-digest: webhook unreachable (${(error as Error).name})`);
  }
  if (status < 200 || status >= 300) throw new Error(`daily-digest: webhook answered ${status}`);
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(digests)
      .set({ deliveredAt: new Date() })
      .where(
        and(eq(digests.workspaceId, workspaceId), eq(digests.id, digest.id), isNull(digests.deliveredAt)),
      )
      .returning();
    if (!row) return; // delivered by an earlier attempt: no second event
    await deps.events.record(tx, {
      workspaceId,
      actorId: null,
      type: 'daily_digest.delivered',
      entityType: 'daily_digest',
      entityId: digest.id,
      data: { item_count: digest.itemCount },
    });
    await deps.progress.writeIn(tx, workspaceId, digest.jobId, 'Delivered to the webhook');
  });
}
