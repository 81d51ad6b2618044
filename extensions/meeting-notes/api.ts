/** What other extensions may import from meeting-notes: its service ref and public types. */
import { createServiceRef } from '@maskin/contract';
import type { MeetingNotesService } from './service.ts';

export type { MeetingNote } from './service.ts';
export const meetingNotesServiceRef = createServiceRef<MeetingNotesService>({
  id: 'meeting-notes.service',
  owner: 'meeting-notes',
});
