/**
 * meeting-notes: an example third-party extension. It uses only kernel/contract:
 * its own table (migrations/), CRUD routes mounted by the kernel at
 * /api/m/meeting-notes, per-workspace settings, event types, and MCP tools
 * (meeting_notes_create_note, ...), and it publishes a service for other extensions.
 */
import { dbRef, defineExtension, eventsRef } from '@maskin/contract';
import { meetingNotesServiceRef } from './api.ts';
import { noteRoutes } from './routes/notes.ts';
import { MeetingNotesService } from './service.ts';
import { settingsSchema } from './settings.ts';

export default defineExtension({
  manifest: {
    id: 'meeting-notes',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Meeting notes: who met, when, for how long, and what was said.',
    enablement: 'opt-in',
    settings: settingsSchema,
    events: ['meeting_notes.created', 'meeting_notes.updated', 'meeting_notes.deleted'],
  },
  deps: { database: dbRef, events: eventsRef },
  provides: meetingNotesServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const notes = new MeetingNotesService(deps.events);
    return {
      routes: noteRoutes({ db: deps.database.db, notes, settings }),
      service: notes,
    };
  },
});
