/**
 * Per-person delivery preferences, per workspace: which types are emailed at once,
 * and whether a daily digest of what is still unread is sent. No row means the
 * defaults: only questions (needs_input) are emailed at once; everything else unread
 * waits for the daily digest (subscriptions and mentions write alerts, which would
 * otherwise mail every change). Channels other extensions register (Slack) are off
 * until the person turns them on per type (`channels: { slack: ['needs_input'] }`).
 */
import { type Db, type ExtensionEvents, orm, validationError } from '@maskin/contract';
import type { eventTypes } from './manifest.ts';
import { preferencesTable as p } from './tables.ts';

const { and, eq, sql } = orm;

export const DEFAULT_PREFERENCES = { email_types: ['needs_input'], digest: 'daily', channels: {} } as const;

export interface Preferences {
  email_types: string[];
  digest: 'daily' | 'off';
  /** Per registered channel (notificationChannelsPoint), the types delivered there at once. */
  channels: Record<string, string[]>;
}

export async function preferencesOf(db: Db, workspaceId: string, actorId: string): Promise<Preferences> {
  const [row] = await db
    .select()
    .from(p)
    .where(and(eq(p.workspaceId, workspaceId), eq(p.actorId, actorId)));
  return row
    ? { email_types: row.emailTypes, digest: row.digest as Preferences['digest'], channels: row.channelTypes }
    : { email_types: [...DEFAULT_PREFERENCES.email_types], digest: DEFAULT_PREFERENCES.digest, channels: {} };
}

export async function updatePreferences(
  tx: Db,
  events: ExtensionEvents<(typeof eventTypes)[number]>,
  scope: { workspaceId: string; actorId: string },
  patch: Partial<Preferences>,
  /** The names of the channels registered now: a preference for any other is refused. */
  channelNames: readonly string[],
): Promise<Preferences> {
  const unknown = Object.keys(patch.channels ?? {}).filter((name) => !channelNames.includes(name));
  if (unknown.length > 0) {
    const known = channelNames.length > 0 ? channelNames.join(', ') : 'none is installed';
    throw validationError(
      `Unknown notification channel ${unknown.join(', ')} (channels: ${known})`,
      unknown.map((name) => ({
        path: `channels.${name}`,
        message: `is not a registered channel (${known})`,
      })),
    );
  }
  const current = await preferencesOf(tx, scope.workspaceId, scope.actorId);
  // A patch replaces the types of the channels it names and keeps the others.
  const channels = { ...current.channels };
  for (const [name, types] of Object.entries(patch.channels ?? {})) channels[name] = [...new Set(types)];
  const next: Preferences = {
    email_types: patch.email_types ? [...new Set(patch.email_types)] : current.email_types,
    digest: patch.digest ?? current.digest,
    channels,
  };
  await tx
    .insert(p)
    .values({
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      emailTypes: next.email_types,
      digest: next.digest,
      channelTypes: next.channels,
      updatedAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: [p.workspaceId, p.actorId],
      set: {
        emailTypes: next.email_types,
        digest: next.digest,
        channelTypes: next.channels,
        updatedAt: sql`now()`,
      },
    });
  await events.record(tx, {
    workspaceId: scope.workspaceId,
    actorId: scope.actorId,
    type: 'notification.preferences_updated',
    entityType: 'actor',
    entityId: scope.actorId,
    data: { ...next },
  });
  return next;
}
