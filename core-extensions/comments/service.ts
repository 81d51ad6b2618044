/**
 * Comments, the domain logic. A comment belongs to an object of the caller's
 * workspace (checked through objects' service; the composite foreign key is the
 * safety net). Mentions (`@[Name](actor-id)`, mentions.ts) must name members of the
 * workspace: a mention of anyone else is a 400 and nothing is stored. Each newly
 * mentioned member except the author gets a notification; a mentioned agent is also
 * woken (a session asked to answer) through notifications' agent wakers, in the same
 * transaction, so a refused comment wakes nobody.
 */
import {
  afterTimeId,
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  type ExtensionMembers,
  forbidden,
  notFound,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import type { NotificationsService, WakeOutcome } from '../notifications/api.ts';
import type { ObjectsService, WorkObject } from '../objects/api.ts';
import { mentionedIds } from './mentions.ts';
import { type CommentRow, commentsTable as c, toCommentJson } from './tables.ts';

const { and, asc, eq, isNull, sql } = orm;

export interface Scope {
  workspaceId: string;
  actorId: string;
  role: string;
}

type Events = ExtensionEvents<'comment.created' | 'comment.updated' | 'comment.deleted'>;

export class CommentsService {
  constructor(
    private readonly events: Events,
    private readonly members: ExtensionMembers,
    private readonly objects: ObjectsService,
    private readonly notifications: NotificationsService,
  ) {}

  async create(tx: Db, scope: Scope, input: { object_id: string; body: string; parent_id?: string }) {
    const object = await this.objects.get(tx, scope.workspaceId, input.object_id); // 404 when not here
    if (input.parent_id) {
      const parent = await this.row(tx, scope.workspaceId, input.parent_id).catch(() => undefined);
      if (!parent || parent.objectId !== object.id) {
        throw validationError('parent_id must be a comment on the same object', [
          { path: 'parent_id', message: 'must be a comment on the same object' },
        ]);
      }
    }
    const mentions = await this.checkedMentions(tx, scope.workspaceId, input.body);
    const [row] = await tx
      .insert(c)
      .values({
        workspaceId: scope.workspaceId,
        objectId: object.id,
        parentId: input.parent_id ?? null,
        authorId: scope.actorId,
        body: input.body,
        mentions,
        createdAt: sql`date_trunc('milliseconds', now())`,
      })
      .returning();
    const notified = await this.notifyMentioned(tx, scope, row!, object, mentions);
    await this.record(tx, scope, 'comment.created', row!, { mentions, notified });
    return toCommentJson(row!);
  }

  async update(tx: Db, scope: Scope, id: string, body: string) {
    const current = await this.row(tx, scope.workspaceId, id);
    if (current.deletedAt) throw notFound(`Comment ${id} was deleted`);
    if (current.authorId !== scope.actorId) throw forbidden('Only its author may edit a comment');
    const mentions = await this.checkedMentions(tx, scope.workspaceId, body);
    const [row] = await tx
      .update(c)
      .set({ body, mentions, editedAt: sql`now()` })
      .where(and(eq(c.workspaceId, scope.workspaceId), eq(c.id, id)))
      .returning();
    const added = mentions.filter((actorId) => !current.mentions.includes(actorId));
    const object = await this.objects.get(tx, scope.workspaceId, row!.objectId);
    const notified = await this.notifyMentioned(tx, scope, row!, object, added);
    await this.record(tx, scope, 'comment.updated', row!, { mentions, notified });
    return toCommentJson(row!);
  }

  /** Its author, or an admin, deletes it; it stays as a tombstone so its replies keep their thread. */
  async delete(tx: Db, scope: Scope, id: string) {
    const current = await this.row(tx, scope.workspaceId, id);
    if (current.deletedAt) throw notFound(`Comment ${id} was deleted`);
    const admin = scope.role === 'admin' || scope.role === 'owner';
    if (current.authorId !== scope.actorId && !admin) {
      throw forbidden('Only its author (or a workspace admin) may delete a comment');
    }
    const [row] = await tx
      .update(c)
      .set({ body: '', mentions: [], deletedAt: sql`now()` })
      .where(and(eq(c.workspaceId, scope.workspaceId), eq(c.id, id), isNull(c.deletedAt)))
      .returning();
    if (!row) throw notFound(`Comment ${id} was deleted`);
    await this.record(tx, scope, 'comment.deleted', row, {});
  }

  async get(db: Db, workspaceId: string, id: string) {
    return toCommentJson(await this.row(db, workspaceId, id));
  }

  /** An object's comments, oldest first (a thread reads top-down); `parent_id` narrows to one thread's replies. */
  async list(
    db: Db,
    workspaceId: string,
    filters: { object_id: string; parent_id?: string; limit: number; cursor?: string },
  ) {
    await this.objects.get(db, workspaceId, filters.object_id);
    const conditions = [eq(c.workspaceId, workspaceId), eq(c.objectId, filters.object_id)];
    if (filters.parent_id) conditions.push(eq(c.parentId, filters.parent_id));
    if (filters.cursor) {
      const { at, id } = decodeTimeIdCursor(filters.cursor);
      conditions.push(afterTimeId('asc', { time: c.createdAt, id: c.id }, { at, id }));
    }
    const rows = await db
      .select()
      .from(c)
      .where(and(...conditions))
      .orderBy(asc(c.createdAt), asc(c.id))
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, toCommentJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  private async checkedMentions(tx: Db, workspaceId: string, body: string) {
    const mentions = mentionedIds(body);
    if (mentions.length > 50) {
      throw validationError('At most 50 mentions per comment', [
        { path: 'body', message: 'too many mentions' },
      ]);
    }
    const members = await this.members.membersAmong(workspaceId, mentions, tx);
    const strangers = mentions.filter((id) => !members.has(id));
    if (strangers.length > 0) {
      throw validationError(`Mentioned actors are not members of this workspace: ${strangers.join(', ')}`, [
        { path: 'body', message: `mentions ${strangers.join(', ')}, who are not members of this workspace` },
      ]);
    }
    return mentions;
  }

  private async notifyMentioned(
    tx: Db,
    scope: Scope,
    row: CommentRow,
    object: WorkObject,
    mentions: string[],
  ) {
    const others = mentions.filter((id) => id !== scope.actorId);
    if (others.length === 0) return [];
    const actors = await this.members.getActors([scope.actorId, ...others], { tx });
    const byId = new Map(actors.map((actor) => [actor.id, actor]));
    const author = byId.get(scope.actorId)?.name ?? 'Someone';
    const notified: { actor_id: string; notification_id: string; wake: WakeOutcome | null }[] = [];
    for (const actorId of others) {
      const notification = await this.notifications.create(
        tx,
        { workspaceId: scope.workspaceId, sourceActorId: scope.actorId },
        {
          type: 'alert',
          targetActorId: actorId,
          title: `${author} mentioned you on "${object.title}"`.slice(0, 500),
          content: row.body,
          objectId: object.id,
          metadata: { via: 'mention', comment_id: row.id },
        },
      );
      let wake: WakeOutcome | null = null;
      if (byId.get(actorId)?.type === 'agent') {
        wake = await this.notifications.wakeAgent(tx, {
          workspaceId: scope.workspaceId,
          agentId: actorId,
          prompt: [
            `${author} mentioned you in a comment on the ${object.type} "${object.title}" (object ${object.id}).`,
            `Comment ${row.id}:`,
            row.body,
            `Answer with a comment on object ${object.id} (parent_id ${row.parentId ?? row.id}).`,
          ].join('\n'),
          wokenBy: scope.actorId,
          reason: { kind: 'mention', commentId: row.id, objectId: object.id },
        });
      }
      notified.push({ actor_id: actorId, notification_id: notification.id, wake });
    }
    return notified;
  }

  private async row(db: Db, workspaceId: string, id: string): Promise<CommentRow> {
    const [row] = await db
      .select()
      .from(c)
      .where(and(eq(c.workspaceId, workspaceId), eq(c.id, id)));
    if (!row) throw notFound(`Comment ${id} not found`);
    return row;
  }

  private record(
    tx: Db,
    scope: Scope,
    type: 'comment.created' | 'comment.updated' | 'comment.deleted',
    row: CommentRow,
    extra: Record<string, unknown>,
  ) {
    return this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type,
      entityType: 'comment',
      entityId: row.id,
      data: { object_id: row.objectId, parent_id: row.parentId, ...extra },
    });
  }
}
