/**
 * Per-person delivery preferences, per workspace: which types are emailed at once,
 * and whether a daily digest of what is still unread is sent. No row means the
 * defaults: only questions (needs_input) are emailed at once; everything else unread
 * waits for the daily digest (subscriptions and mentions write alerts, which would
 * otherwise mail every change).
 */
import { type Db, type ExtensionEvents, orm } from '@maskin/contract';
import type { eventTypes } from './manifest.ts';
import { preferencesTable as p } from './tables.ts';

const { and, eq, sql } = orm;

export const DEFAULT_PREFERENCES = { email_types: ['needs_input'], digest: 'daily' } as const;

export interface Preferences {
  email_types: string[];
  digest: 'daily' | 'off';
}

export async function preferencesOf(db: Db, workspaceId: string, actorId: string): Promise<Preferences> {
  const [row] = await db
    .select()
    .from(p)
    .where(and(eq(p.workspaceId, workspaceId), eq(p.actorId, actorId)));
  return row
    ? { email_types: row.emailTypes, digest: row.digest as Preferences['digest'] }
    : { email_types: [...DEFAULT_PREFERENCES.email_types], digest: DEFAULT_PREFERENCES.digest };
}

export async function updatePreferences(
  tx: Db,
  events: ExtensionEvents<(typeof eventTypes)[number]>,
  scope: { workspaceId: string; actorId: string },
  patch: Partial<Preferences>,
): Promise<Preferences> {
  const current = await preferencesOf(tx, scope.workspaceId, scope.actorId);
  const next: Preferences = {
    email_types: patch.email_types ? [...new Set(patch.email_types)] : current.email_types,
    digest: patch.digest ?? current.digest,
  };
  await tx
    .insert(p)
    .values({
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      emailTypes: next.email_types,
      digest: next.digest,
      updatedAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: [p.workspaceId, p.actorId],
      set: { emailTypes: next.email_types, digest: next.digest, updatedAt: sql`now()` },
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
