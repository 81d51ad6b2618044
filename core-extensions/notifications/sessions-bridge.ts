/**
 * The agent waker that sessions contributes to `agentWakersPoint` (wired at merge:
 * sessions, or a small bridge extension requiring both notifications and sessions,
 * registers `sessionsAgentWaker(sessions)` in its register phase; note that a
 * contributor must list `notifications` in `requires`).
 *
 * An answer to a question resumes the asking session when it is paused, sending the
 * answer as its next message; otherwise (the session ended, or none was named) it
 * starts a continuation session of the agent with the answer as its prompt, pointing
 * at the asking session as its parent. A mention always starts a new session.
 * Everything happens in the caller's transaction, so a rolled-back answer wakes nobody.
 */
import type { SessionsService } from '../sessions/api.ts';
import type { AgentWaker } from './api.ts';

type Sessions = Pick<SessionsService, 'create' | 'get' | 'resume'>;

/**
 * `sessions` may be a getter: `register` runs before any `setup`, so sessions
 * registers `sessionsAgentWaker(() => service, isEnabled)` and fills `service` in its
 * setup (the point's owner reads registrations only when it wakes someone).
 */
export function sessionsAgentWaker(
  sessionsOrGetter: Sessions | (() => Sessions | undefined),
  isEnabled: (workspaceId: string) => Promise<boolean> = async () => true,
): AgentWaker {
  return {
    name: 'sessions',
    async wake(tx, input) {
      const sessions = typeof sessionsOrGetter === 'function' ? sessionsOrGetter() : sessionsOrGetter;
      if (!sessions || !(await isEnabled(input.workspaceId))) return undefined;
      if (input.sessionId) {
        const asking = await sessions.get(input.workspaceId, input.sessionId, tx);
        if (asking?.status === 'paused' && asking.actorId === input.agentId) {
          const resumed = await sessions.resume(tx, input.workspaceId, asking.id, {
            input: input.prompt,
            actorId: input.wokenBy,
          });
          return { sessionId: resumed.id, mode: 'resumed' };
        }
      }
      const started = await sessions.create(tx, {
        workspaceId: input.workspaceId,
        agentId: input.agentId,
        prompt: input.prompt,
        createdBy: input.wokenBy,
        ...(input.sessionId ? { parentSessionId: input.sessionId } : {}),
      });
      return { sessionId: started.id, mode: 'started' };
    },
  };
}
