/** Meeting notes CRUD: thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  pageQuery,
  workspaceOf,
} from '@maskin/contract';
import type { MeetingNotesService } from '../service.ts';
import type { MeetingNotesSettings } from '../settings.ts';
import { createNoteSchema, meetingNoteSchema, noteIdParam, updateNoteSchema } from './schemas.ts';

const tags = ['Meeting notes'];

export function noteRoutes(deps: {
  db: Db;
  notes: MeetingNotesService;
  settings: (workspaceId: string) => Promise<MeetingNotesSettings>;
}) {
  const { db, notes } = deps;
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_note',
        description:
          'Records the notes of a meeting in the current workspace: a title, markdown body, attendees, when it was held and how long it took. Returns the saved note with its id.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create a meeting note',
        request: { body: jsonBody(createNoteSchema) },
        responses: { 201: jsonResponse(meetingNoteSchema, 'The note'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const settings = await deps.settings(scope.workspaceId);
        const note = await db.transaction((tx) =>
          notes.create(tx, { ...scope, settings }, c.req.valid('json')),
        );
        return c.json(note, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_notes',
        description:
          'Lists meeting notes of the current workspace, most recent meeting first, with pagination.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List meeting notes, most recent first',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(meetingNoteSchema), 'Notes'), ...errorResponses },
      }),
      handler: async (c) => c.json(await notes.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_note',
        description: 'Returns one meeting note by id.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get a meeting note',
        request: { params: noteIdParam },
        responses: { 200: jsonResponse(meetingNoteSchema, 'The note'), ...errorResponses },
      }),
      handler: async (c) => c.json(await notes.get(db, workspaceOf(c).id, c.req.valid('param').id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'patch',
        path: '/{id}',
        tags,
        summary: 'Update a meeting note',
        description:
          'Changes the fields sent (at least one: title, body, attendees, held_at, duration_minutes); the others keep their values. Records `meeting_notes.updated` with the names of the changed fields.',
        request: { params: noteIdParam, body: jsonBody(updateNoteSchema) },
        responses: { 200: jsonResponse(meetingNoteSchema, 'The note'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = callerScope(c);
        const settings = await deps.settings(scope.workspaceId);
        const note = await db.transaction((tx) =>
          notes.update(tx, { ...scope, settings }, c.req.valid('param').id, c.req.valid('json')),
        );
        return c.json(note, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete a meeting note',
        description: 'Deletes the note. Records `meeting_notes.deleted` with its title.',
        request: { params: noteIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        await db.transaction((tx) => notes.delete(tx, callerScope(c), c.req.valid('param').id));
        return c.body(null, 204);
      },
    }),
  ];
}
