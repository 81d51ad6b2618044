/**
 * Creating a session: the agent must be an agent member with a runtime profile, no
 * budget it counts against may be used up, and its timeout may not exceed the
 * workspace's maximum. Runs in the caller's transaction (a route's, or another
 * extension's through the sessions service) and admits it in that transaction.
 */
import type { Db, ExtensionMembers } from '@maskin/contract';
import { extensionError, validationError } from '@maskin/contract';
import type { CreateSessionInput } from './api.ts';
import { errors, type SessionsSettings } from './manifest.ts';
import { assertAgentMember, readProfile } from './profiles.ts';
import { admit, type SessionCore, transition } from './service.ts';
import { type SessionConfig, sessions } from './tables.ts';
import { exhaustedBudget } from './usage.ts';

export async function createSession(
  core: SessionCore & { members: ExtensionMembers },
  tx: Db,
  settings: SessionsSettings,
  input: CreateSessionInput,
) {
  const { workspaceId, agentId } = input;
  await assertAgentMember(core.members, tx, workspaceId, agentId);
  if (!(await readProfile(tx, workspaceId, agentId))) {
    throw extensionError(
      { errors },
      'SESSIONS_NO_PROFILE',
      `Agent ${agentId} has no runtime profile here: PUT /api/sessions/agents/${agentId}/profile first`,
    );
  }
  const config = (input.config ?? {}) as SessionConfig;
  if (config.timeout_seconds !== undefined && config.timeout_seconds > settings.max_timeout_seconds) {
    throw validationError(
      `timeout_seconds may be at most ${settings.max_timeout_seconds} in this workspace`,
      [{ path: 'config.timeout_seconds', message: `at most ${settings.max_timeout_seconds}` }],
    );
  }
  const budget = await exhaustedBudget(tx, workspaceId, agentId, settings.monthly_budget_usd);
  if (budget) {
    throw extensionError(
      { errors },
      'SESSIONS_BUDGET_EXCEEDED',
      `The ${budget.scope === 'agent' ? "agent's" : "workspace's"} monthly budget of ${budget.budgetUsd} USD is used up (${budget.spentUsd.toFixed(2)} USD spent this month)`,
    );
  }
  const [row] = await tx
    .insert(sessions)
    .values({
      workspaceId,
      actorId: agentId,
      createdBy: input.createdBy,
      triggerId: input.triggerId ?? null,
      parentSessionId: input.parentSessionId ?? null,
      status: 'pending',
      prompt: input.prompt,
      config,
    })
    .returning();
  await core.events.record(tx, {
    workspaceId,
    actorId: input.createdBy,
    type: 'session.created',
    entityType: 'session',
    entityId: row!.id,
    data: { status: 'pending', agent_id: agentId, trigger_id: row!.triggerId },
  });
  if (input.autoStart === false) return row!;
  const queued = await transition(core, tx, workspaceId, row!.id, {
    from: ['pending'],
    to: 'queued',
    actorId: input.createdBy,
    set: { queuedAt: new Date() },
  });
  await admit(core, workspaceId, tx);
  return queued!;
}
