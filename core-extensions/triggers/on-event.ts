/**
 * Event triggers read the event log through one durable subscription (every type:
 * the types are data). The handler runs in the transaction that advances the cursor,
 * and claims firings there: an event fires each matching trigger exactly once, and
 * events recorded while every instance was down fire after the next start.
 *
 * Loop guard: when a trigger starts sessions for an agent, events that agent caused
 * while a session started by this trigger was running do not fire it again.
 */
import type { Db, EventJson } from '@maskin/contract';
import { orm, perTransaction } from '@maskin/contract';
import type { SessionsService } from '../sessions/api.ts';
import { eventMatches } from './conditions.ts';
import type { EventConfig } from './definition.ts';
import type { TriggerEngine } from './engine.ts';
import { triggers } from './tables.ts';

const { and, eq } = orm;

/**
 * The enabled event triggers of a workspace, read once per delivery batch rather than
 * once per event. A trigger disabled meanwhile is still refused by the claim, which
 * locks and re-reads it.
 */
const eventTriggersOf = perTransaction((tx, workspaceId) =>
  tx
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.type, 'event'), eq(triggers.enabled, true)))
    .execute(),
);

export async function onEvent(
  tx: Db,
  deps: { engine: TriggerEngine; sessions: SessionsService },
  workspaceId: string,
  event: EventJson,
): Promise<void> {
  const candidates = await eventTriggersOf(tx, workspaceId);
  for (const trigger of candidates) {
    if (!eventMatches(trigger.config as EventConfig, event)) continue;
    const firing = { key: `event:${event.id}`, event };
    const action = trigger.action;
    const looping =
      action.kind === 'session' &&
      event.actor_id === action.agent_id &&
      (await deps.sessions.wasRunningForTrigger(tx, {
        workspaceId,
        triggerId: trigger.id,
        actorId: event.actor_id,
        at: new Date(event.created_at),
      }));
    await deps.engine.claim(tx, trigger, firing, looping ? 'loop_guard' : undefined);
  }
}
