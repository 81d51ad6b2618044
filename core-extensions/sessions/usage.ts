/**
 * Usage: what a session's agent reports about tokens and cost, and the budgets it
 * counts against.
 *
 * Claude Code's `--output-format stream-json` prints one JSON object per line. We read:
 * - `{"type":"system","subtype":"init","session_id","model"}`: the Claude session id
 *   (for `--resume`) and the model;
 * - `{"type":"result","session_id","total_cost_usd","usage":{...}}`: cumulative totals
 *   of the run. Totals are turned into increments against what the session already
 *   recorded, so an agent (or a fake one) may print several results and each dollar is
 *   counted once.
 * Other runtimes may print the same `result` shape, or nothing.
 *
 * Budgets: after recording, the workspace's and the agent's spend this calendar month
 * (UTC) are compared with their budgets; crossing one stops every running session under
 * it with reason `budget_exceeded` (the owning instances kill the processes when they
 * see the status) and records `session.budget_exceeded`. New sessions are refused
 * while a budget is used up.
 */
import type { Db } from '@maskin/contract';
import { orm } from '@maskin/contract';
import { profiles, type SessionRow, sessions, usage } from './tables.ts';

const { and, eq, gte, sql } = orm;

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd: number;
}

export interface ParsedLine {
  runtimeSessionId?: string;
  model?: string;
  /** Cumulative totals of the run so far. */
  totals?: UsageTotals;
}

const num = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;

export function parseStreamJsonLine(text: string): ParsedLine | undefined {
  if (!text.startsWith('{')) return undefined;
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const parsed: ParsedLine = {};
  if (typeof value.session_id === 'string' && value.session_id.length <= 200)
    parsed.runtimeSessionId = value.session_id;
  if (value.type === 'system' && typeof value.model === 'string') parsed.model = value.model.slice(0, 200);
  if (value.type === 'result') {
    const u = value.usage ?? {};
    parsed.totals = {
      inputTokens: num(u.input_tokens),
      outputTokens: num(u.output_tokens),
      cacheReadTokens: num(u.cache_read_input_tokens),
      cacheCreationTokens: num(u.cache_creation_input_tokens),
      costUsd: num(value.total_cost_usd),
    };
  }
  return parsed.runtimeSessionId || parsed.model || parsed.totals ? parsed : undefined;
}

/**
 * Records the increment from the session's recorded totals to `totals` (the run's
 * cumulative figures; a resumed run starts from the totals of the runs before it).
 */
export async function recordTotals(
  tx: Db,
  session: SessionRow,
  base: UsageTotals,
  totals: UsageTotals,
  model: string | null,
): Promise<boolean> {
  const [current] = await tx.select().from(sessions).where(eq(sessions.id, session.id)).for('update');
  if (!current) return false;
  const delta = {
    inputTokens: Math.max(0, base.inputTokens + totals.inputTokens - current.inputTokens),
    outputTokens: Math.max(0, base.outputTokens + totals.outputTokens - current.outputTokens),
    cacheReadTokens: Math.max(0, base.cacheReadTokens + totals.cacheReadTokens - current.cacheReadTokens),
    cacheCreationTokens: Math.max(
      0,
      base.cacheCreationTokens + totals.cacheCreationTokens - current.cacheCreationTokens,
    ),
    costUsd: Math.max(0, base.costUsd + totals.costUsd - Number(current.costUsd)),
  };
  if (Object.values(delta).every((value) => value === 0)) return false;
  await recordIncrement(tx, current, delta, model);
  return true;
}

export async function recordIncrement(tx: Db, session: SessionRow, delta: UsageTotals, model: string | null) {
  await tx.insert(usage).values({
    workspaceId: session.workspaceId,
    sessionId: session.id,
    actorId: session.actorId,
    model,
    inputTokens: delta.inputTokens,
    outputTokens: delta.outputTokens,
    cacheReadTokens: delta.cacheReadTokens,
    cacheCreationTokens: delta.cacheCreationTokens,
    costUsd: delta.costUsd.toFixed(6),
  });
  await tx
    .update(sessions)
    .set({
      inputTokens: sql`${sessions.inputTokens} + ${delta.inputTokens}`,
      outputTokens: sql`${sessions.outputTokens} + ${delta.outputTokens}`,
      cacheReadTokens: sql`${sessions.cacheReadTokens} + ${delta.cacheReadTokens}`,
      cacheCreationTokens: sql`${sessions.cacheCreationTokens} + ${delta.cacheCreationTokens}`,
      costUsd: sql`${sessions.costUsd} + ${delta.costUsd.toFixed(6)}::numeric`,
      updatedAt: sql`now()`,
    })
    .where(eq(sessions.id, session.id));
}

const monthStart = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
};

/** Spend this calendar month (UTC), of the workspace or of one agent in it. */
export async function monthSpend(db: Db, workspaceId: string, actorId?: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${usage.costUsd}), 0)` })
    .from(usage)
    .where(
      and(
        eq(usage.workspaceId, workspaceId),
        gte(usage.recordedAt, monthStart()),
        actorId ? eq(usage.actorId, actorId) : undefined,
      ),
    );
  return Number(row?.total ?? 0);
}

export interface BudgetVerdict {
  scope: 'workspace' | 'agent';
  budgetUsd: number;
  spentUsd: number;
}

/** The first budget used up for a new or running session of this agent, if any. */
export async function exhaustedBudget(
  db: Db,
  workspaceId: string,
  actorId: string,
  workspaceBudget: number | null,
): Promise<BudgetVerdict | undefined> {
  if (workspaceBudget !== null) {
    const spent = await monthSpend(db, workspaceId);
    if (spent >= workspaceBudget) return { scope: 'workspace', budgetUsd: workspaceBudget, spentUsd: spent };
  }
  const [profile] = await db
    .select({ budget: profiles.monthlyBudgetUsd })
    .from(profiles)
    .where(and(eq(profiles.workspaceId, workspaceId), eq(profiles.actorId, actorId)));
  if (profile?.budget !== null && profile?.budget !== undefined) {
    const budget = Number(profile.budget);
    const spent = await monthSpend(db, workspaceId, actorId);
    if (spent >= budget) return { scope: 'agent', budgetUsd: budget, spentUsd: spent };
  }
  return undefined;
}
