import { storableTimeSchema, z } from '@maskin/contract';

export const meetingNoteSchema = z
  .object({
    id: z.string().uuid(),
    title: z.string(),
    body: z.string(),
    attendees: z.array(z.string()),
    held_at: z.string(),
    duration_minutes: z.number().int(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('MeetingNotesNote');

const fields = {
  title: z.string().trim().min(1).max(300),
  body: z.string().max(100_000),
  attendees: z.array(z.string().trim().min(1).max(200)).max(100),
  held_at: storableTimeSchema(),
  duration_minutes: z.number().int().min(1).max(1440),
};

export const createNoteSchema = z
  .object({
    title: fields.title,
    body: fields.body.optional(),
    attendees: fields.attendees.optional(),
    held_at: fields.held_at.optional().openapi({ description: 'When the meeting happened; default now' }),
    duration_minutes: fields.duration_minutes
      .optional()
      .openapi({ description: "Default: the workspace's default_duration_minutes setting" }),
  })
  .openapi('MeetingNotesCreateInput');

export const updateNoteSchema = z
  .object({
    title: fields.title.optional(),
    body: fields.body.optional(),
    attendees: fields.attendees.optional(),
    held_at: fields.held_at.optional(),
    duration_minutes: fields.duration_minutes.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one field to change')
  .openapi('MeetingNotesUpdateInput');

export const noteIdParam = z.object({ id: z.string().uuid() });
