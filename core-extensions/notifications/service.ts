/**
 * Notifications, the domain logic: plain inputs and a transaction, no HTTP. Routes,
 * MCP tools, subscriptions and comments all write through here.
 *
 * Concurrency: every status change is one conditional UPDATE (`where status = ...`),
 * so a row changes state once however many requests race for it, and each change
 * that happened records exactly one event. Unread counts are counted from the rows,
 * never kept as counters, so concurrent marks cannot skew them. An answer is stored by
 * `update ... where answer is null`: of two racing answers one wins, the other is 409.
 */
import {
  afterTimeId,
  conflict,
  type Db,
  decodeTimeIdCursor,
  type ErrorDetail,
  type ExtensionEvents,
  type ExtensionMembers,
  type ExtensionPointRegistrations,
  notFound,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import type { ObjectsService } from '../objects/api.ts';
import type {
  AgentWakeInput,
  AgentWaker,
  CreateNotificationInput,
  NotificationsService as NotificationsServiceApi,
  WakeOutcome,
} from './api.ts';
import { type Answer, type AskMetadata, checkAnswer, checkAsk, describeAnswer, isAsk } from './ask.ts';
import type { eventTypes } from './manifest.ts';
import { type NotificationRow, notificationsTable as n, toNotificationJson } from './tables.ts';

const { and, count, desc, eq, inArray, isNull, or, sql } = orm;

export interface ListFilters {
  direction: 'received' | 'sent';
  status?: string;
  type?: string;
  unread?: boolean;
  object_id?: string;
  limit: number;
  cursor?: string;
}

export interface Scope {
  workspaceId: string;
  actorId: string;
}

type Events = ExtensionEvents<(typeof eventTypes)[number]>;

export class NotificationsService implements NotificationsServiceApi {
  /** Set by the email channel: runs in the creating transaction (enqueues the email job). */
  onCreated: (tx: Db, row: NotificationRow) => Promise<void> = async () => {};
  /** Set at setup: the registered channels (Slack) the target turned on; their outcomes go into the event. */
  deliverToChannels: (tx: Db, row: NotificationRow) => Promise<Record<string, string>> = async () => ({});

  constructor(
    private readonly events: Events,
    private readonly members: ExtensionMembers,
    private readonly objects: ObjectsService,
    private readonly wakers: ExtensionPointRegistrations<AgentWaker>,
  ) {}

  async create(
    tx: Db,
    scope: { workspaceId: string; sourceActorId: string | null },
    input: CreateNotificationInput,
  ) {
    const metadata = input.metadata ?? {};
    const problems: ErrorDetail[] = checkAsk(input.type, metadata);
    const members = await this.members.membersAmong(scope.workspaceId, [input.targetActorId], tx);
    if (!members.has(input.targetActorId)) {
      problems.push({ path: 'target_actor_id', message: 'must be the id of a member of this workspace' });
    }
    if (problems.length > 0) {
      throw validationError(
        `Invalid notification: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        problems,
      );
    }
    if (input.objectId) await this.objects.get(tx, scope.workspaceId, input.objectId); // 404 when not here
    const [row] = await tx
      .insert(n)
      .values({
        workspaceId: scope.workspaceId,
        type: input.type,
        status: 'pending',
        targetActorId: input.targetActorId,
        sourceActorId: scope.sourceActorId,
        title: input.title,
        content: input.content ?? '',
        objectId: input.objectId ?? null,
        metadata,
        createdAt: sql`date_trunc('milliseconds', now())`,
        updatedAt: sql`date_trunc('milliseconds', now())`,
      })
      .returning();
    await this.onCreated(tx, row!);
    const channels = await this.deliverToChannels(tx, row!);
    await this.record(tx, scope.workspaceId, scope.sourceActorId, 'notification.created', row!.id, {
      type: row!.type,
      target_actor_id: row!.targetActorId,
      object_id: row!.objectId,
      title: row!.title,
      ...(Object.keys(channels).length > 0 ? { channels } : {}),
    });
    return toNotificationJson(row!);
  }

  /** Visible to its target and to its source; to anyone else it does not exist. */
  async get(db: Db, scope: Scope, id: string) {
    return toNotificationJson(await this.visibleRow(db, scope, id));
  }

  async list(db: Db, scope: Scope, filters: ListFilters) {
    const mine =
      filters.direction === 'sent' ? eq(n.sourceActorId, scope.actorId) : eq(n.targetActorId, scope.actorId);
    const conditions = [eq(n.workspaceId, scope.workspaceId), mine];
    if (filters.status) conditions.push(eq(n.status, filters.status));
    if (filters.type) conditions.push(eq(n.type, filters.type));
    if (filters.unread === true) conditions.push(eq(n.status, 'pending'));
    if (filters.unread === false) conditions.push(sql`${n.status} <> 'pending'`);
    if (filters.object_id) conditions.push(eq(n.objectId, filters.object_id));
    if (filters.cursor) {
      const { at, id } = decodeTimeIdCursor(filters.cursor);
      conditions.push(afterTimeId('desc', { time: n.createdAt, id: n.id }, { at, id }));
    }
    const rows = await db
      .select()
      .from(n)
      .where(and(...conditions))
      .orderBy(desc(n.createdAt), desc(n.id))
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, toNotificationJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  /** Unread (pending) notifications of the caller, per type. */
  async unreadCounts(db: Db, scope: Scope) {
    const rows = await db
      .select({ type: n.type, count: count() })
      .from(n)
      .where(
        and(
          eq(n.workspaceId, scope.workspaceId),
          eq(n.targetActorId, scope.actorId),
          eq(n.status, 'pending'),
        ),
      )
      .groupBy(n.type);
    const byType = { needs_input: 0, recommendation: 0, good_news: 0, alert: 0 };
    for (const row of rows) byType[row.type as keyof typeof byType] = Number(row.count);
    return { total: Object.values(byType).reduce((a, b) => a + b, 0), by_type: byType };
  }

  /** pending -> seen; anything else is left as it is (and records nothing). */
  async markSeen(tx: Db, scope: Scope, id: string) {
    await this.ownRow(tx, scope, id);
    const [row] = await tx
      .update(n)
      .set({ status: 'seen', seenAt: sql`now()`, updatedAt: sql`date_trunc('milliseconds', now())` })
      .where(and(eq(n.workspaceId, scope.workspaceId), eq(n.id, id), eq(n.status, 'pending')))
      .returning();
    if (row)
      await this.record(tx, scope.workspaceId, scope.actorId, 'notification.seen', id, { type: row.type });
    return toNotificationJson(row ?? (await this.ownRow(tx, scope, id)));
  }

  /** Every pending notification of the caller (optionally of one type) -> seen; one event with the count. */
  async markAllSeen(tx: Db, scope: Scope, type?: string) {
    const conditions = [
      eq(n.workspaceId, scope.workspaceId),
      eq(n.targetActorId, scope.actorId),
      eq(n.status, 'pending'),
    ];
    if (type) conditions.push(eq(n.type, type));
    const rows = await tx
      .update(n)
      .set({ status: 'seen', seenAt: sql`now()`, updatedAt: sql`date_trunc('milliseconds', now())` })
      .where(and(...conditions))
      .returning({ id: n.id });
    if (rows.length > 0) {
      await this.events.record(tx, {
        workspaceId: scope.workspaceId,
        actorId: scope.actorId,
        type: 'notification.all_seen',
        entityType: 'actor',
        entityId: scope.actorId,
        data: { count: rows.length, type: type ?? null, ids: rows.slice(0, 200).map((row) => row.id) },
      });
    }
    return { marked: rows.length };
  }

  async dismiss(tx: Db, scope: Scope, id: string) {
    const current = await this.ownRow(tx, scope, id);
    if (current.status === 'resolved')
      throw conflict('Notification is resolved (answered); it cannot be dismissed');
    const [row] = await tx
      .update(n)
      .set({ status: 'dismissed', updatedAt: sql`date_trunc('milliseconds', now())` })
      .where(and(eq(n.workspaceId, scope.workspaceId), eq(n.id, id), inArray(n.status, ['pending', 'seen'])))
      .returning();
    if (row) await this.record(tx, scope.workspaceId, scope.actorId, 'notification.dismissed', id, {});
    else if ((await this.ownRow(tx, scope, id)).status === 'resolved') {
      throw conflict('Notification was answered meanwhile; it cannot be dismissed');
    }
    return toNotificationJson(row ?? (await this.ownRow(tx, scope, id)));
  }

  /** Stores the answer once, resolves the notification and wakes the asking agent. */
  async respond(tx: Db, scope: Scope, id: string, answer: Answer) {
    const current = await this.ownRow(tx, scope, id);
    if (!isAsk(current.metadata)) {
      throw conflict('This notification asks nothing (no input_type or actions): mark it seen or dismiss it');
    }
    const problems = checkAnswer(current.metadata as AskMetadata, answer);
    if (problems.length > 0) {
      throw validationError(
        `The answer does not fit the question: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        problems,
      );
    }
    const [row] = await tx
      .update(n)
      .set({
        answer,
        answeredBy: scope.actorId,
        answeredAt: sql`now()`,
        status: 'resolved',
        seenAt: sql`coalesce(${n.seenAt}, now())`,
        updatedAt: sql`date_trunc('milliseconds', now())`,
      })
      .where(
        and(
          eq(n.workspaceId, scope.workspaceId),
          eq(n.id, id),
          isNull(n.answer),
          inArray(n.status, ['pending', 'seen']),
        ),
      )
      .returning();
    if (!row) {
      const now = await this.ownRow(tx, scope, id);
      throw conflict(
        now.answer !== null
          ? 'This notification was already answered; an answer is stored once'
          : `This notification is ${now.status}; it can no longer be answered`,
      );
    }
    const wake = await this.wakeAsker(tx, row, answer, scope.actorId);
    await this.record(tx, scope.workspaceId, scope.actorId, 'notification.responded', id, {
      answer,
      source_actor_id: row.sourceActorId,
      wake,
    });
    return { notification: toNotificationJson(row), wake };
  }

  async wakeAgent(tx: Db, input: AgentWakeInput): Promise<WakeOutcome> {
    for (const waker of this.wakers.values()) {
      try {
        // A savepoint: a waker that fails leaves the caller's transaction usable.
        const result = await tx.transaction((savepoint) => waker.wake(savepoint as Db, input));
        if (result)
          return { status: 'woken', waker: waker.name, session_id: result.sessionId, mode: result.mode };
      } catch (error) {
        return { status: 'failed', waker: waker.name, error: (error as Error).message };
      }
    }
    return { status: 'no_waker' };
  }

  private async wakeAsker(tx: Db, row: NotificationRow, answer: Answer, answeredBy: string) {
    if (!row.sourceActorId) return null;
    const [source] = await this.members.getActors([row.sourceActorId], { tx });
    if (source?.type !== 'agent') return null;
    const sessionId = typeof row.metadata.session_id === 'string' ? row.metadata.session_id : null;
    return this.wakeAgent(tx, {
      workspaceId: row.workspaceId,
      agentId: source.id,
      sessionId,
      prompt: `Your question "${row.title}" (notification ${row.id}) was answered. ${describeAnswer(answer)}`,
      wokenBy: answeredBy,
      reason: { kind: 'answer', notificationId: row.id },
    });
  }

  private async visibleRow(db: Db, scope: Scope, id: string) {
    const [row] = await db
      .select()
      .from(n)
      .where(
        and(
          eq(n.workspaceId, scope.workspaceId),
          eq(n.id, id),
          or(eq(n.targetActorId, scope.actorId), eq(n.sourceActorId, scope.actorId)),
        ),
      );
    if (!row) throw notFound(`Notification ${id} not found`);
    return row;
  }

  /** A notification addressed to the caller (only its target may mark, dismiss or answer it). */
  private async ownRow(db: Db, scope: Scope, id: string) {
    const [row] = await db
      .select()
      .from(n)
      .where(and(eq(n.workspaceId, scope.workspaceId), eq(n.id, id), eq(n.targetActorId, scope.actorId)));
    if (!row) throw notFound(`Notification ${id} not found among yours`);
    return row;
  }

  private record(
    tx: Db,
    workspaceId: string,
    actorId: string | null,
    type: (typeof eventTypes)[number],
    id: string,
    data: Record<string, unknown>,
  ) {
    return this.events.record(tx, {
      workspaceId,
      actorId,
      type,
      entityType: 'notification',
      entityId: id,
      data,
    });
  }
}
