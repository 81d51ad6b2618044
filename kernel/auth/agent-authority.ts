/**
 * Who may act for an agent (mint, list and revoke its keys; add it to another
 * workspace).
 *
 * An agent's API key carries every one of its memberships. So whoever manages an
 * agent must be an admin or owner of a workspace it is in AND hold at least the
 * agent's role in every workspace it is in. Without the second half, managing an
 * agent would be a way to gain a role (an admin minting a key for an owner agent) or a
 * workspace (someone who once saw an agent's id adds it to their own workspace, then
 * mints a key for it and reads the agent's original workspace).
 */
import { sql } from 'drizzle-orm';
import { type Db, resultRows } from '../db/database.ts';

const ROLE_ORDER = sql.raw(`array['viewer', 'member', 'admin', 'owner']`);

/** The workspaces through which `callerId` manages agent `agentId` (admin or owner there), or [] if it may not. */
export async function workspacesManagingAgent(db: Db, callerId: string, agentId: string): Promise<string[]> {
  const rows = resultRows<{ workspace_id: string }>(
    await db.execute(sql`
      select agent.workspace_id from workspace_members agent
        join actors a on a.id = agent.actor_id and a.type = 'agent'
        join workspace_members manager on manager.workspace_id = agent.workspace_id
       where agent.actor_id = ${agentId} and manager.actor_id = ${callerId}
         and manager.role in ('owner', 'admin')
         and not exists (
           select 1 from workspace_members other
             left join workspace_members mine
               on mine.workspace_id = other.workspace_id and mine.actor_id = ${callerId}
            where other.actor_id = ${agentId}
              and coalesce(array_position(${ROLE_ORDER}, mine.role), 0) < array_position(${ROLE_ORDER}, other.role))
       order by agent.workspace_id`),
  );
  return rows.map((row) => row.workspace_id);
}
