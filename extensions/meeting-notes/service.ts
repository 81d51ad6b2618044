/**
 * Meeting notes, the domain logic: plain inputs and a transaction, no HTTP. Routes
 * and MCP tools are thin adapters over these functions. Every query is scoped by
 * workspace id; every write records its event last, in the same transaction.
 */
import {
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  notFound,
  orm,
  pg,
  toPage,
  validationError,
} from '@maskin/contract';
import type { MeetingNotesSettings } from './settings.ts';

const { and, desc, eq, lt, or, sql } = orm;

export const meetingNotes = pg.pgTable('meeting_notes', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  title: pg.text('title').notNull(),
  body: pg.text('body').notNull(),
  attendees: pg.jsonb('attendees').$type<string[]>().notNull(),
  heldAt: pg.timestamp('held_at', { withTimezone: true }).notNull(),
  durationMinutes: pg.integer('duration_minutes').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

type Row = typeof meetingNotes.$inferSelect;

export function toJson(row: Row) {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    attendees: row.attendees,
    held_at: row.heldAt.toISOString(),
    duration_minutes: row.durationMinutes,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export type MeetingNote = ReturnType<typeof toJson>;

function checkAttendees(settings: MeetingNotesSettings, attendees: string[]) {
  if (settings.require_attendees && attendees.length === 0) {
    throw validationError('This workspace requires at least one attendee per meeting note', [
      { path: 'attendees', message: 'required by workspace settings' },
    ]);
  }
}

export interface NoteInput {
  title: string;
  body?: string;
  attendees?: string[];
  held_at?: string;
  duration_minutes?: number;
}

export class MeetingNotesService {
  constructor(private readonly events: ExtensionEvents) {}

  async create(
    tx: Db,
    scope: { workspaceId: string; actorId: string; settings: MeetingNotesSettings },
    input: NoteInput,
  ) {
    const attendees = input.attendees ?? [];
    checkAttendees(scope.settings, attendees);
    const [row] = await tx
      .insert(meetingNotes)
      .values({
        workspaceId: scope.workspaceId,
        title: input.title,
        body: input.body ?? '',
        attendees,
        heldAt: input.held_at ? new Date(input.held_at) : new Date(),
        durationMinutes: input.duration_minutes ?? scope.settings.default_duration_minutes,
        createdBy: scope.actorId,
      })
      .returning();
    await this.record(tx, scope, 'meeting_notes.created', row!.id, { title: row!.title });
    return toJson(row!);
  }

  async list(db: Db, workspaceId: string, page: { limit: number; cursor?: string }) {
    const conditions = [eq(meetingNotes.workspaceId, workspaceId)];
    if (page.cursor) {
      const { at, id } = decodeTimeIdCursor(page.cursor);
      conditions.push(
        or(lt(meetingNotes.heldAt, at), and(eq(meetingNotes.heldAt, at), lt(meetingNotes.id, id)))!,
      );
    }
    const rows = await db
      .select()
      .from(meetingNotes)
      .where(and(...conditions))
      .orderBy(desc(meetingNotes.heldAt), desc(meetingNotes.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, toJson, (row) => [row.heldAt.toISOString(), row.id]);
  }

  async get(db: Db, workspaceId: string, id: string) {
    const [row] = await db
      .select()
      .from(meetingNotes)
      .where(and(eq(meetingNotes.workspaceId, workspaceId), eq(meetingNotes.id, id)));
    if (!row) throw notFound('Meeting note not found');
    return toJson(row);
  }

  async update(
    tx: Db,
    scope: { workspaceId: string; actorId: string; settings: MeetingNotesSettings },
    id: string,
    patch: Partial<NoteInput>,
  ) {
    if (patch.attendees !== undefined) checkAttendees(scope.settings, patch.attendees);
    const [row] = await tx
      .update(meetingNotes)
      .set({
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.body !== undefined && { body: patch.body }),
        ...(patch.attendees !== undefined && { attendees: patch.attendees }),
        ...(patch.held_at !== undefined && { heldAt: new Date(patch.held_at) }),
        ...(patch.duration_minutes !== undefined && { durationMinutes: patch.duration_minutes }),
        updatedAt: sql`now()`,
      })
      .where(and(eq(meetingNotes.workspaceId, scope.workspaceId), eq(meetingNotes.id, id)))
      .returning();
    if (!row) throw notFound('Meeting note not found');
    await this.record(tx, scope, 'meeting_notes.updated', id, { changed: Object.keys(patch) });
    return toJson(row);
  }

  async delete(tx: Db, scope: { workspaceId: string; actorId: string }, id: string) {
    const [row] = await tx
      .delete(meetingNotes)
      .where(and(eq(meetingNotes.workspaceId, scope.workspaceId), eq(meetingNotes.id, id)))
      .returning({ id: meetingNotes.id, title: meetingNotes.title });
    if (!row) throw notFound('Meeting note not found');
    await this.record(tx, scope, 'meeting_notes.deleted', id, { title: row.title });
  }

  private record(
    tx: Db,
    scope: { workspaceId: string; actorId: string },
    type: string,
    id: string,
    data: object,
  ) {
    return this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type,
      entityType: 'meeting_note',
      entityId: id,
      data: data as Record<string, unknown>,
    });
  }
}
