/**
 * What other extensions may import from notifications: its service (subscriptions and
 * comments create notifications through it), the agent-wake extension point, and the
 * wire schema of a notification.
 *
 * Why a point and not a dependency on sessions: sessions is optional for
 * notifications ("when sessions are enabled"), and the contract has no optional
 * dependencies. So notifications owns `agentWakersPoint`; whatever can wake an agent
 * (sessions, through `sessionsAgentWaker` in sessions-bridge.ts) registers on it.
 * With nothing registered, an answer or a mention is stored and nobody is woken.
 *
 * `notificationChannelsPoint` is the same shape of decision for delivery: email is
 * notifications' own channel, but Slack (or any chat) belongs to an extension that
 * notifications must not require. Such an extension requires notifications and
 * registers a channel; a person turns it on per type in their preferences
 * (`channels: { slack: ['needs_input'] }`).
 */
import { createExtensionPoint, createServiceRef, type Db } from '@maskin/contract';
import type { NotificationJson } from './tables.ts';

export type { Answer, AskMetadata, InputType } from './ask.ts';
export { notificationSchema } from './routes/schemas.ts';
export { sessionsAgentWaker } from './sessions-bridge.ts';
export type { NotificationJson } from './tables.ts';

export const NOTIFICATION_TYPES = ['needs_input', 'recommendation', 'good_news', 'alert'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface CreateNotificationInput {
  type: NotificationType;
  /** A member of the workspace (else 400). */
  targetActorId: string;
  title: string;
  content?: string;
  /** An object of the workspace this is about (else 404). */
  objectId?: string | null;
  metadata?: Record<string, unknown>;
}

/** Why and whom to wake: an agent asked and got an answer, or was mentioned. */
export interface AgentWakeInput {
  workspaceId: string;
  /** The agent actor to wake. */
  agentId: string;
  /** The agent's session that asked (from the notification's metadata.session_id), if any. */
  sessionId?: string | null;
  /** What the agent is told: the answer, or the comment that mentions it. */
  prompt: string;
  /** The actor whose act wakes it (the human who answered, the comment's author). */
  wokenBy: string;
  /** Where it came from, for the waker's records. */
  reason:
    | { kind: 'answer'; notificationId: string }
    | { kind: 'mention'; commentId: string; objectId: string };
}

export interface AgentWakeResult {
  /** The session that now carries on. */
  sessionId: string;
  mode: 'resumed' | 'started';
}

/**
 * Wakes an agent in the caller's transaction (so a rolled-back answer wakes nobody).
 * Return undefined when this waker does not handle the workspace (its extension is
 * disabled there); throw an ApiError to refuse (the answer is still stored, and the
 * refusal is reported next to it).
 */
export interface AgentWaker {
  name: string;
  wake(tx: Db, input: AgentWakeInput): Promise<AgentWakeResult | undefined>;
}

export const agentWakersPoint = createExtensionPoint<AgentWaker>({
  id: 'notifications.agent-wakers',
  owner: 'notifications',
});

/** How a wake went, in the wire shape (snake_case; it is returned and stored in events). */
export type WakeOutcome =
  | { status: 'woken'; waker: string; session_id: string; mode: AgentWakeResult['mode'] }
  | { status: 'failed'; waker: string; error: string }
  | { status: 'no_waker' };

export interface NotificationsService {
  /**
   * Creates a notification in `tx` from `sourceActorId` (null: the system) and records
   * `notification.created`; enqueues its email when the target wants one.
   */
  create(
    tx: Db,
    scope: { workspaceId: string; sourceActorId: string | null },
    input: CreateNotificationInput,
  ): Promise<NotificationJson>;
  /** Calls the registered agent wakers in `tx`, each in a savepoint; a failure is reported, not thrown. */
  wakeAgent(tx: Db, input: AgentWakeInput): Promise<WakeOutcome>;
}

/** Who a notification is for, as a channel needs it (a human member of the workspace). */
export interface NotificationRecipient {
  actorId: string;
  name: string;
  /** The person's login email, when they have one (a channel may look them up by it). */
  email: string | null;
}

/**
 * A delivery channel beyond email. notifications calls `deliver` in the transaction
 * that creates the notification, only for a human recipient whose preferences turn
 * this channel on for the notification's type. Enqueue a job there (so a rolled-back
 * request delivers nothing) and send from the job; do no network I/O in `deliver`.
 * Return false when the channel cannot deliver in this workspace (its extension is
 * disabled there, nothing is connected); a throw is reported in the
 * `notification.created` event and never fails the notification.
 */
export interface NotificationChannel {
  /** The key in preferences' `channels` (`slack`): lowercase letters, digits, `-`. */
  name: string;
  deliver(
    tx: Db,
    workspaceId: string,
    notification: NotificationJson,
    recipient: NotificationRecipient,
  ): Promise<boolean>;
}

export const notificationChannelsPoint = createExtensionPoint<NotificationChannel>({
  id: 'notifications.channels',
  owner: 'notifications',
});

export const notificationsServiceRef = createServiceRef<NotificationsService>({
  id: 'notifications.service',
  owner: 'notifications',
});
