/**
 * Delivery through the channels other extensions register on notificationChannelsPoint
 * (Slack). Runs in the creating transaction, after the email channel: for a human
 * recipient, each channel the person turned on for the notification's type is asked
 * to deliver (it enqueues its own job there, so a rolled-back request sends nothing).
 *
 * Each channel runs in a savepoint and its outcome is returned, not thrown: a broken
 * or unreachable contributor must not cost the person the notification itself. The
 * outcomes go into the `notification.created` event (`channels`), so "why did I get
 * nothing on Slack" has an answer in the log.
 */
import type { Db, ExtensionMembers, ExtensionPointRegistrations } from '@maskin/contract';
import type { NotificationChannel } from './api.ts';
import { preferencesOf } from './preferences.ts';
import { type NotificationRow, toNotificationJson } from './tables.ts';

export type ChannelOutcome = 'queued' | 'unavailable' | `failed: ${string}`;

export function createChannelDelivery(
  channels: ExtensionPointRegistrations<NotificationChannel>,
  members: ExtensionMembers,
) {
  async function deliver(tx: Db, row: NotificationRow): Promise<Record<string, ChannelOutcome>> {
    const outcomes: Record<string, ChannelOutcome> = {};
    const registered = channels.values();
    if (registered.length === 0) return outcomes;
    const preferences = await preferencesOf(tx, row.workspaceId, row.targetActorId);
    const wanted = registered.filter((channel) => preferences.channels[channel.name]?.includes(row.type));
    if (wanted.length === 0) return outcomes;
    const [actor] = await members.getActors([row.targetActorId], { viewerId: row.targetActorId, tx });
    if (actor?.type !== 'human') return outcomes;
    const recipient = { actorId: actor.id, name: actor.name, email: actor.email ?? null };
    const notification = toNotificationJson(row);
    for (const channel of wanted) {
      try {
        const queued = await tx.transaction((savepoint) =>
          channel.deliver(savepoint as Db, row.workspaceId, notification, recipient),
        );
        outcomes[channel.name] = queued ? 'queued' : 'unavailable';
      } catch (error) {
        outcomes[channel.name] = `failed: ${(error as Error).message}`;
      }
    }
    return outcomes;
  }

  return { deliver, names: () => channels.values().map((channel) => channel.name) };
}
