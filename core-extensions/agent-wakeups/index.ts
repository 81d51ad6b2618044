/**
 * agent-wakeups: wakes agents through sessions when notifications asks (a human
 * answered an agent's question, or someone mentioned an agent in a comment). A bridge
 * of its own, so neither sessions nor notifications requires the other: a workspace
 * may run either alone, and this one works where both are enabled.
 */
import { configRef, defineExtension } from '@maskin/contract';
import { agentWakersPoint, sessionsAgentWaker } from '../notifications/api.ts';
import { type SessionsService, sessionsServiceRef } from '../sessions/api.ts';

/**
 * register runs before setup, where the sessions service arrives, so the waker reads
 * it when it wakes someone. Keyed by the kernel's config object (one per kernel), so
 * two kernels in one process (tests) each wake through their own sessions.
 */
const sessionsOf = new WeakMap<object, SessionsService>();

export default defineExtension({
  manifest: {
    id: 'agent-wakeups',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      "Wakes agents through sessions when a human answers an agent's question or mentions an agent: resumes the paused session, or starts a continuation.",
    requires: ['sessions', 'notifications'],
    enablement: 'default-on',
  },
  deps: { sessions: sessionsServiceRef, config: configRef },
  async register({ extensionPoints, isEnabled, kernelService }) {
    const kernel = await kernelService(configRef);
    extensionPoints.add(
      agentWakersPoint,
      sessionsAgentWaker(() => sessionsOf.get(kernel), isEnabled),
    );
  },
  setup({ deps }) {
    sessionsOf.set(deps.config, deps.sessions);
    return {};
  },
});
