/**
 * notifications' manifest as data: event types, installation config (the SMTP
 * server of the email channel) and settings.
 */
import type { ExtensionErrors } from '@maskin/contract';
import { z } from '@maskin/contract';

export const eventTypes = [
  'notification.created',
  'notification.seen',
  'notification.all_seen',
  'notification.dismissed',
  'notification.responded',
  'notification.emailed',
  'notification.digest_requested',
  'notification.digest_emailed',
  'notification.preferences_updated',
] as const;

/**
 * MASKIN_EXT_NOTIFICATIONS_SMTP_URL (e.g. smtp://user:pass@mail.example.com:587; unset:
 * no email is sent) and MASKIN_EXT_NOTIFICATIONS_EMAIL_FROM.
 */
export const configSchema = z.object({
  smtp_url: z.string().url().optional(),
  email_from: z.string().min(3).max(200).default('Maskin <notifications@localhost>'),
});
export type NotificationsConfig = z.output<typeof configSchema>;

export const errors = {
  EMAIL_NOT_CONFIGURED: {
    status: 409,
    description: 'The installation has no SMTP server (MASKIN_EXT_NOTIFICATIONS_SMTP_URL)',
  },
} as const satisfies ExtensionErrors;

export const manifest = {
  id: 'notifications',
  version: '1.0.0',
  kernel: '^1.0.0',
  description:
    'Notifications for humans: questions from agents with structured answers, recommendations, good news and alerts, unread tracking, email delivery and digests.',
  mounts: ['notifications'],
  enablement: 'default-on' as const,
  requires: ['objects'],
  config: configSchema,
  errors,
  events: [...eventTypes],
};
