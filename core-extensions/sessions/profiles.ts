/**
 * Agent runtime profiles: how an agent runs in a workspace (runtime, model, system
 * prompt, extra MCP servers, secret environment, limits). Environment values are
 * encrypted with secretsRef (AES-256-GCM, installation key) per key and never leave
 * the server except into the agent's own process: the wire shape lists only key names.
 */
import type { Db, ExtensionEvents, ExtensionMembers, ExtensionSecrets } from '@maskin/contract';
import { extensionError, orm, validationError } from '@maskin/contract';
import { errors, type SessionEventType } from './manifest.ts';
import { type AgentRuntimeKind, type ProfileRow, profiles } from './tables.ts';

const { and, eq, sql } = orm;

export interface ProfileInput {
  runtime: AgentRuntimeKind;
  command?: string[] | null;
  model?: string | null;
  system_prompt?: string | null;
  mcp_servers?: Record<string, unknown>;
  /** Values to set; null removes a key. Keys not named keep their value. */
  env?: Record<string, string | null>;
  max_concurrent_sessions?: number | null;
  monthly_budget_usd?: number | null;
}

export function profileJson(row: ProfileRow) {
  return {
    actor_id: row.actorId,
    workspace_id: row.workspaceId,
    runtime: row.runtime,
    command: row.command ?? null,
    model: row.model,
    system_prompt: row.systemPrompt,
    mcp_servers: row.mcpServers,
    env_keys: Object.keys(row.envCiphertext).sort(),
    max_concurrent_sessions: row.maxConcurrentSessions,
    monthly_budget_usd: row.monthlyBudgetUsd === null ? null : Number(row.monthlyBudgetUsd),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function readProfile(db: Db, workspaceId: string, actorId: string) {
  const [row] = await db
    .select()
    .from(profiles)
    .where(and(eq(profiles.workspaceId, workspaceId), eq(profiles.actorId, actorId)));
  return row;
}

/** The agent's secret environment, decrypted: only for its own process. */
export function decryptEnv(secrets: ExtensionSecrets, row: ProfileRow): Record<string, string> {
  return Object.fromEntries(
    Object.entries(row.envCiphertext).map(([key, value]) => [key, secrets.decrypt(value)]),
  );
}

/** Refuses an actor that is not an agent member of the workspace. */
export async function assertAgentMember(
  members: ExtensionMembers,
  tx: Db,
  workspaceId: string,
  actorId: string,
) {
  const role = await members.roleOf(workspaceId, actorId, tx);
  const [actor] = role ? await members.getActors([actorId], { tx }) : [];
  if (actor?.type !== 'agent') {
    throw extensionError(
      { errors },
      'SESSIONS_AGENT_NOT_FOUND',
      `No agent ${actorId} is a member of this workspace`,
    );
  }
}

export async function upsertProfile(
  deps: { events: ExtensionEvents<SessionEventType>; secrets: ExtensionSecrets; members: ExtensionMembers },
  tx: Db,
  input: { workspaceId: string; actorId: string; callerId: string; profile: ProfileInput },
) {
  await assertAgentMember(deps.members, tx, input.workspaceId, input.actorId);
  const { profile } = input;
  if (profile.runtime === 'custom' && !profile.command?.length) {
    throw validationError('A custom runtime needs command: the argv to run, e.g. ["node", "agent.js"]', [
      { path: 'command', message: 'required for runtime custom' },
    ]);
  }
  if (profile.runtime !== 'custom' && profile.command) {
    throw validationError('command is only for runtime custom', [
      { path: 'command', message: 'not allowed' },
    ]);
  }
  const [existing] = await tx
    .select()
    .from(profiles)
    .where(and(eq(profiles.workspaceId, input.workspaceId), eq(profiles.actorId, input.actorId)))
    .for('update');
  const env = { ...(existing?.envCiphertext ?? {}) };
  for (const [key, value] of Object.entries(profile.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = deps.secrets.encrypt(value);
  }
  const values = {
    runtime: profile.runtime,
    command: profile.runtime === 'custom' ? (profile.command ?? null) : null,
    model: profile.model ?? null,
    systemPrompt: profile.system_prompt ?? null,
    mcpServers: profile.mcp_servers ?? {},
    envCiphertext: env,
    maxConcurrentSessions: profile.max_concurrent_sessions ?? null,
    monthlyBudgetUsd:
      profile.monthly_budget_usd === null || profile.monthly_budget_usd === undefined
        ? null
        : String(profile.monthly_budget_usd),
    updatedAt: sql`now()`,
  };
  const [row] = await tx
    .insert(profiles)
    .values({ workspaceId: input.workspaceId, actorId: input.actorId, createdBy: input.callerId, ...values })
    .onConflictDoUpdate({ target: [profiles.workspaceId, profiles.actorId], set: values })
    .returning();
  await deps.events.record(tx, {
    workspaceId: input.workspaceId,
    actorId: input.callerId,
    type: existing ? 'agent_profile.updated' : 'agent_profile.created',
    entityType: 'agent_profile',
    entityId: input.actorId,
    // key names only: values are secrets
    data: {
      runtime: row!.runtime,
      model: row!.model,
      env_keys_changed: Object.keys(profile.env ?? {}).sort(),
    },
  });
  return row!;
}

export async function deleteProfile(
  events: ExtensionEvents<SessionEventType>,
  tx: Db,
  input: { workspaceId: string; actorId: string; callerId: string },
) {
  const [row] = await tx
    .delete(profiles)
    .where(and(eq(profiles.workspaceId, input.workspaceId), eq(profiles.actorId, input.actorId)))
    .returning();
  if (!row) return false;
  await events.record(tx, {
    workspaceId: input.workspaceId,
    actorId: input.callerId,
    type: 'agent_profile.deleted',
    entityType: 'agent_profile',
    entityId: input.actorId,
    data: {},
  });
  return true;
}
