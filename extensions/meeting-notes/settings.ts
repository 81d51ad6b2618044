import { z } from '@maskin/contract';

/** Per-workspace settings; every field has a default, so `{}` is valid. */
export const settingsSchema = z.object({
  default_duration_minutes: z.number().int().min(5).max(480).default(30),
  require_attendees: z.boolean().default(false),
});

export type MeetingNotesSettings = z.output<typeof settingsSchema>;
