import type { Db } from '@maskin/contract';
import { describe, expect, it } from 'vitest';
import type { CreateSessionInput, SessionStatus, SessionSummary } from '../sessions/api.ts';
import type { AgentWakeInput } from './api.ts';
import { sessionsAgentWaker } from './sessions-bridge.ts';

const tx = {} as Db;
const agentId = 'a0000000-0000-4000-8000-000000000001';
const human = 'h0000000-0000-4000-8000-000000000002';

function fakeSessions(status: SessionStatus | undefined, actorId = agentId) {
  const calls: { created: CreateSessionInput[]; resumed: { id: string; input?: string; actorId: string }[] } =
    {
      created: [],
      resumed: [],
    };
  const summary = (id: string): SessionSummary => ({
    id,
    workspaceId: 'w',
    actorId,
    status: status ?? 'queued',
    prompt: 'p',
    createdBy: human,
    triggerId: null,
    reason: null,
    createdAt: new Date(0).toISOString(),
  });
  return {
    calls,
    service: {
      async get(_workspaceId: string, id: string) {
        return status ? summary(id) : undefined;
      },
      async resume(_tx: Db, _workspaceId: string, id: string, options: { input?: string; actorId: string }) {
        calls.resumed.push({ id, ...options });
        return { ...summary(id), status: 'running' as const };
      },
      async create(_tx: Db, input: CreateSessionInput) {
        calls.created.push(input);
        return summary('new-session');
      },
    },
  };
}

const input = (sessionId: string | null): AgentWakeInput => ({
  workspaceId: 'w',
  agentId,
  sessionId,
  prompt: 'answer: june',
  wokenBy: human,
  reason: { kind: 'answer', notificationId: 'n' },
});

describe('sessionsAgentWaker', () => {
  it('resumes the asking session when it is paused, with the answer as input', async () => {
    const { service, calls } = fakeSessions('paused');
    expect(await sessionsAgentWaker(service).wake(tx, input('s1'))).toEqual({
      sessionId: 's1',
      mode: 'resumed',
    });
    expect(calls.resumed).toEqual([{ id: 's1', input: 'answer: june', actorId: human }]);
    expect(calls.created).toEqual([]);
  });

  it('starts a continuation session when the asking one ended', async () => {
    const { service, calls } = fakeSessions('completed');
    expect(await sessionsAgentWaker(service).wake(tx, input('s1'))).toEqual({
      sessionId: 'new-session',
      mode: 'started',
    });
    expect(calls.created).toEqual([
      { workspaceId: 'w', agentId, prompt: 'answer: june', createdBy: human, parentSessionId: 's1' },
    ]);
  });

  it('starts a session when none is named, and never resumes another agent’s session', async () => {
    const none = fakeSessions(undefined);
    expect((await sessionsAgentWaker(none.service).wake(tx, input(null)))?.mode).toBe('started');
    expect(none.calls.created[0]).not.toHaveProperty('parentSessionId');
    const foreign = fakeSessions('paused', 'someone-else');
    expect((await sessionsAgentWaker(foreign.service).wake(tx, input('s1')))?.mode).toBe('started');
    expect(foreign.calls.resumed).toEqual([]);
  });

  it('takes the service through a getter (registered before setup), and waits for it', async () => {
    const { service, calls } = fakeSessions('paused');
    let ready: typeof service | undefined;
    const waker = sessionsAgentWaker(() => ready);
    expect(await waker.wake(tx, input('s1'))).toBeUndefined();
    ready = service;
    expect(await waker.wake(tx, input('s1'))).toEqual({ sessionId: 's1', mode: 'resumed' });
    expect(calls.resumed).toHaveLength(1);
  });

  it('does nothing where sessions is disabled', async () => {
    const { service, calls } = fakeSessions('paused');
    expect(await sessionsAgentWaker(service, async () => false).wake(tx, input('s1'))).toBeUndefined();
    expect(calls.resumed).toEqual([]);
  });
});
