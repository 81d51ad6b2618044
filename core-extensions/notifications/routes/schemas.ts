/** Request and response schemas of the notifications routes (components prefixed `Notifications`). */
import { pageQuery, z } from '@maskin/contract';
import { answerSchema, INPUT_TYPES } from '../ask.ts';

const TYPES = ['needs_input', 'recommendation', 'good_news', 'alert'] as const;
const STATUSES = ['pending', 'seen', 'resolved', 'dismissed'] as const;

export const notificationSchema = z
  .object({
    id: z.string().uuid(),
    type: z.enum(TYPES),
    status: z
      .enum(STATUSES)
      .openapi({ description: 'pending (unread), seen, resolved (answered), dismissed' }),
    target_actor_id: z.string().uuid().openapi({ description: 'Who it is for' }),
    source_actor_id: z.string().uuid().nullable().openapi({ description: 'Who sent it (null: the system)' }),
    title: z.string(),
    content: z.string().openapi({ description: 'Markdown' }),
    object_id: z.string().uuid().nullable().openapi({ description: 'The object it is about, if any' }),
    metadata: z.record(z.string(), z.unknown()).openapi({
      description:
        'Free keys, plus the structured ask: input_type (confirmation/single/multiple/text), options [{value,label}], actions [{id,label}], session_id (the asking agent session)',
    }),
    answer: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'The stored answer, once given' }),
    answered_by: z.string().uuid().nullable(),
    answered_at: z.string().nullable(),
    seen_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('NotificationsNotification');

const choice = z.object({ value: z.string().min(1).max(200), label: z.string().min(1).max(500) });
const action = z.object({ id: z.string().min(1).max(60), label: z.string().min(1).max(200) });

export const createNotificationSchema = z
  .object({
    type: z.enum(TYPES),
    target_actor_id: z.string().uuid().openapi({ description: 'A member of the workspace' }),
    title: z.string().min(1).max(500),
    content: z.string().max(50_000).optional(),
    object_id: z.string().uuid().nullable().optional(),
    metadata: z
      .object({
        input_type: z.enum(INPUT_TYPES).optional(),
        options: z.array(choice).optional(),
        actions: z.array(action).optional(),
        session_id: z.string().uuid().optional(),
      })
      .passthrough()
      .optional(),
  })
  .openapi('NotificationsCreate');

export const respondSchema = answerSchema.openapi('NotificationsAnswer');

export const wakeSchema = z
  .union([
    z.object({
      status: z.literal('woken'),
      waker: z.string(),
      session_id: z.string(),
      mode: z.enum(['resumed', 'started']),
    }),
    z.object({ status: z.literal('failed'), waker: z.string(), error: z.string() }),
    z.object({ status: z.literal('no_waker') }),
  ])
  .nullable()
  .openapi({ description: 'Whether the asking agent was woken (null: the asker is not an agent)' });

export const respondResultSchema = z
  .object({ notification: notificationSchema, wake: wakeSchema })
  .openapi('NotificationsRespondResult');

export const listQuery = pageQuery.extend({
  direction: z
    .enum(['received', 'sent'])
    .default('received')
    .openapi({ description: 'received (default): addressed to you; sent: those you sent' }),
  status: z.enum(STATUSES).optional(),
  type: z.enum(TYPES).optional(),
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ description: 'true: only pending (unread); false: only read ones' }),
  object_id: z.string().uuid().optional(),
});

export const countsSchema = z
  .object({
    total: z.number().int(),
    by_type: z.object({
      needs_input: z.number().int(),
      recommendation: z.number().int(),
      good_news: z.number().int(),
      alert: z.number().int(),
    }),
  })
  .openapi('NotificationsUnreadCounts');

export const markAllSchema = z
  .object({ type: z.enum(TYPES).optional().openapi({ description: 'Only this type' }) })
  .openapi('NotificationsMarkAll');

export const idParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, description: 'Notification id' }),
});

export const preferencesSchema = z
  .object({
    email_types: z
      .array(z.enum(TYPES))
      .max(4)
      .openapi({ description: 'Types emailed at once (only needs_input by default)' }),
    digest: z
      .enum(['daily', 'off'])
      .openapi({ description: 'A daily email of what is still unread (default daily)' }),
    channels: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), z.array(z.enum(TYPES)).max(4)).openapi({
      description:
        'Per installed delivery channel (slack when the slack extension is), the types sent there at once; none by default. Unknown channels are refused.',
      example: { slack: ['needs_input'] },
    }),
  })
  .openapi('NotificationsPreferences');

export const preferencesUpdateSchema = preferencesSchema.partial().openapi('NotificationsPreferencesUpdate');
